// The product's own Next.js settings (response headers included), so the floor differs from the
// ticket route only by what the handlers do.
export { default } from "../../next.config.js";
