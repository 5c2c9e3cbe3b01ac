"use client";

import { useEffect, useRef, useState } from "react";

/** Reads the QR code in one video frame, or null. */
type Decode = (video: HTMLVideoElement) => Promise<string | null>;
type Engine = "native" | "jsqr";

/** The Shape Detection API, where the browser has it (TypeScript's DOM types don't yet). */
type BarcodeDetectorClass = {
  new (options: { formats: string[] }): { detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>> };
  getSupportedFormats?: () => Promise<string[]>;
};

const SCAN_INTERVAL_MS = 200;
/** A code still in view is the same person; it counts again only after leaving the frame this long. */
const SAME_CODE_QUIET_MS = 3_000;
/** jsQR's cost grows with pixels, and a ticket's QR code fills much of the view anyway. */
const JSQR_MAX_SIDE = 640;

async function makeDecoder(): Promise<{ engine: Engine; decode: Decode }> {
  if ("BarcodeDetector" in window) {
    const Native = (window as unknown as { BarcodeDetector: BarcodeDetectorClass }).BarcodeDetector;
    try {
      const formats = (await Native.getSupportedFormats?.()) ?? ["qr_code"];
      if (formats.includes("qr_code")) {
        const detector = new Native({ formats: ["qr_code"] });
        return { engine: "native", decode: async (video) => (await detector.detect(video))[0]?.rawValue ?? null };
      }
    } catch {
      // Present but unusable (some desktop builds): fall through to jsQR.
    }
  }
  const { default: jsQR } = await import("jsqr");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new Error("This browser can't read camera frames");
  return {
    engine: "jsqr",
    decode: async (video) => {
      const { videoWidth: width, videoHeight: height } = video;
      if (!width || !height) return null;
      const scale = Math.min(1, JSQR_MAX_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      return jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data ?? null;
    },
  };
}

function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Camera access was refused. Allow the camera for this site in your browser's settings, or type the code.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") return "No camera was found on this device. Type the code instead.";
  if (name === "NotReadableError") return "The camera is busy in another app. Close it and try again, or type the code.";
  return `The camera could not be started${error instanceof Error && error.message ? ` (${error.message})` : ""}. Type the code instead.`;
}

type State = { kind: "starting" } | { kind: "scanning"; engine: Engine } | { kind: "unavailable"; message: string };

/**
 * Reads QR codes from the device camera: the browser's BarcodeDetector where it has one,
 * otherwise jsQR on canvas frames (loaded only then). Every code read goes to `onCode`.
 */
export function CameraScanner(props: { onCode: (code: string) => void; onStop: () => void; paused: boolean }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<State>({ kind: "starting" });
  // The scanning loop lives as long as the camera; it reads the latest props through these.
  const onCodeRef = useRef(props.onCode);
  const pausedRef = useRef(props.paused);
  useEffect(() => {
    onCodeRef.current = props.onCode;
    pausedRef.current = props.paused;
  });

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    async function start() {
      if (!navigator.mediaDevices?.getUserMedia) {
        setState({ kind: "unavailable", message: "This browser can't use a camera on this page (it needs a secure https connection). Type the code instead." });
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
      } catch (error) {
        if (!stopped) setState({ kind: "unavailable", message: cameraProblem(error) });
        return;
      }
      const video = videoRef.current;
      if (stopped || !video) {
        // Stopped while the permission prompt was up: the cleanup ran before there was a stream.
        stream.getTracks().forEach((track) => track.stop());
        return;
      }
      video.srcObject = stream;
      await video.play().catch(() => undefined);
      let decoder: Awaited<ReturnType<typeof makeDecoder>>;
      try {
        decoder = await makeDecoder();
      } catch (error) {
        if (!stopped) setState({ kind: "unavailable", message: cameraProblem(error) });
        return;
      }
      if (stopped) return;
      setState({ kind: "scanning", engine: decoder.engine });

      let lastCode = "";
      let lastSeenAt = 0;
      const tick = async () => {
        if (stopped) return;
        if (!pausedRef.current && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
          const code = await decoder.decode(video).catch(() => null);
          const now = Date.now();
          if (code && !stopped) {
            const fresh = code !== lastCode || now - lastSeenAt > SAME_CODE_QUIET_MS;
            lastCode = code;
            lastSeenAt = now;
            if (fresh) onCodeRef.current(code);
          }
        }
        if (!stopped) timer = setTimeout(tick, SCAN_INTERVAL_MS);
      };
      void tick();
    }

    void start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);

  return (
    <div className="space-y-3">
      {state.kind === "unavailable" ? (
        <p className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="alert">
          {state.message}
        </p>
      ) : (
        <>
          <video ref={videoRef} className="aspect-[4/3] max-h-72 w-full rounded-lg bg-slate-900 object-cover" muted playsInline aria-label="Camera view" />
          <p className="text-sm text-slate-600" role="status">
            {state.kind === "starting" ? "Starting the camera…" : "Point the camera at the ticket's QR code."}
          </p>
        </>
      )}
      <button type="button" className="btn-secondary w-full" onClick={props.onStop}>
        {state.kind === "unavailable" ? "Close" : "Stop camera"}
      </button>
    </div>
  );
}
