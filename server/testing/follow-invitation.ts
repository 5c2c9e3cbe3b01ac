import type { Db } from "@/db/client";
import { followEmailLink, type FollowingBrowser } from "@/server/auth/email-links";
import { acceptInvitation } from "@/server/team/invitations";

/**
 * Following an emailed link as the auth.followLink procedure does (an invitation link also joins
 * the team), for the race harness (server/testing/race.ts), whose contenders can only be handed
 * data, not the afterProof function.
 */
export function followLinkAcceptingInvitation(db: Db, token: string, browser: FollowingBrowser) {
  return followEmailLink(db, token, browser, Date.now(), acceptInvitation);
}
