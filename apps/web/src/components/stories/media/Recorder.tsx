/**
 * Records from the microphone with the browser's MediaRecorder (WebM/Opus in Chromium and Firefox, MP4
 * in Safari), then hands the recording over. Where there is no microphone or no MediaRecorder, it says
 * so; a recorded file can still be chosen.
 */
import { useEffect, useRef, useState } from "react";
import { MediaIcon } from "./MediaIcon.tsx";
import s from "./media.module.css";

export function Recorder({ onRecorded, disabled }: { onRecorded: (blob: Blob, filename: string) => void; disabled?: boolean }) {
  const [state, setState] = useState<"idle" | "recording" | "error">("idle");
  const [message, setMessage] = useState("");
  const [seconds, setSeconds] = useState(0);
  const recorder = useRef<MediaRecorder | null>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(
    () => () => {
      window.clearInterval(timer.current);
      for (const t of recorder.current?.stream.getTracks() ?? []) t.stop();
    },
    [],
  );

  async function start() {
    if (typeof MediaRecorder === "undefined" || !navigator.mediaDevices?.getUserMedia) {
      setState("error");
      setMessage("This browser cannot record here; choose a recorded file instead.");
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const r = new MediaRecorder(stream);
      const chunks: Blob[] = [];
      r.ondataavailable = (e) => {
        if (e.data.size) chunks.push(e.data);
      };
      r.onstop = () => {
        for (const t of stream.getTracks()) t.stop();
        const type = r.mimeType || "audio/webm";
        onRecorded(new Blob(chunks, { type }), `recording.${type.includes("mp4") ? "m4a" : "webm"}`);
      };
      r.start(1000);
      recorder.current = r;
      setSeconds(0);
      timer.current = window.setInterval(() => setSeconds((n) => n + 1), 1000);
      setState("recording");
      setMessage("");
    } catch {
      setState("error");
      setMessage("The microphone could not be used (permission refused, or none found).");
    }
  }

  function stop() {
    window.clearInterval(timer.current);
    recorder.current?.stop();
    recorder.current = null;
    setState("idle");
  }

  return (
    <div className={s.recorder}>
      {state === "recording" ? (
        <button type="button" className="btn btn-danger" onClick={stop}>
          <MediaIcon name="stop" />
          Stop recording ({Math.floor(seconds / 60)}:{String(seconds % 60).padStart(2, "0")})
        </button>
      ) : (
        <button type="button" className="btn btn-secondary" onClick={() => void start()} disabled={disabled}>
          <MediaIcon name="mic" />
          Record your answer
        </button>
      )}
      <p role="status" className={message ? "hint" : "visually-hidden"}>
        {message || (state === "recording" ? "Recording…" : "")}
      </p>
    </div>
  );
}
