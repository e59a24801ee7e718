/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal (progress bars are drawn only then). */
  errIsTTY: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTTY: !!process.stderr.isTTY,
};

/** Exit codes of MODEL.md section 7 (130 for an interrupt). */
export const EXIT = { ok: 0, failure: 1, invalid: 2, interrupted: 130 } as const;
