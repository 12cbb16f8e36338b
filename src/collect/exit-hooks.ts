/**
 * Process-wide exit handling for every open collector, registered once and removed when the
 * last collector closes (after miniflare's exit-hook: no listener per instance, no leaks).
 * - `beforeExit` (the loop ran dry, e.g. a script that never called close()): flush;
 * - `exit` (no more async work possible): spool whatever is left, synchronously;
 * - SIGTERM/SIGINT, only while some collector opted in: flush with a deadline, spool the rest,
 *   then let the signal end the process (status 128+n) unless the host listens to it too.
 */
export interface ExitParticipant {
  readonly handlesSignals: boolean;
  hasOutstanding(): boolean;
  /** Async flush for beforeExit. */
  flushOnBeforeExit(): Promise<void>;
  /** Flush bounded by the participant's deadline, for signals. */
  flushOnSignal(): Promise<void>;
  /** Synchronous last resort for `exit`. */
  spillSync(): void;
}

const participants = new Set<ExitParticipant>();
let exitListenersOn = false;
let signalListenersOn = false;
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type HandledSignal = (typeof SIGNALS)[number];
let signalInProgress = false;

export function registerExitParticipant(participant: ExitParticipant): void {
  participants.add(participant);
  update();
}

export function unregisterExitParticipant(participant: ExitParticipant): void {
  participants.delete(participant);
  update();
}

/** For tests: how many listeners this module holds on the process. */
export function exitHookListenerCount(): number {
  return (exitListenersOn ? 2 : 0) + (signalListenersOn ? SIGNALS.length : 0);
}

function update(): void {
  const wantExit = participants.size > 0;
  if (wantExit !== exitListenersOn) {
    if (wantExit) {
      process.on('beforeExit', onBeforeExit);
      process.on('exit', onExit);
    } else {
      process.off('beforeExit', onBeforeExit);
      process.off('exit', onExit);
    }
    exitListenersOn = wantExit;
  }
  const wantSignals = [...participants].some((p) => p.handlesSignals);
  if (wantSignals !== signalListenersOn) {
    for (const signal of SIGNALS) {
      if (wantSignals) {
        process.on(signal, onSignal);
      } else {
        process.off(signal, onSignal);
      }
    }
    signalListenersOn = wantSignals;
  }
}

function onBeforeExit(): void {
  // Only when something is pending: otherwise Node would call us again and again.
  for (const participant of participants) {
    if (participant.hasOutstanding()) {
      void participant.flushOnBeforeExit();
    }
  }
}

function onExit(): void {
  for (const participant of participants) {
    try {
      participant.spillSync();
    } catch {
      // exiting: nothing left to tell
    }
  }
}

function onSignal(signal: HandledSignal): void {
  if (signalInProgress) {
    return; // a second Ctrl-C while flushing: the first one is already ending the process
  }
  signalInProgress = true;
  const flushing = [...participants].map((participant) =>
    participant.flushOnSignal().catch(() => undefined),
  );
  void Promise.all(flushing).then(() => {
    onExit();
    signalInProgress = false;
    const hostListens = process.listeners(signal).some((listener) => listener !== onSignal);
    if (!hostListens) {
      for (const s of SIGNALS) {
        process.off(s, onSignal);
      }
      signalListenersOn = false;
      // Re-raise with the default action: the process ends as the signal meant it to
      // (status 128+n), and only cli/main.ts ever calls process.exit.
      process.kill(process.pid, signal);
    }
  });
}
