// Every line any logger writes to the console, kept to search (for a secret that must never be
// logged) instead of printed. Undone by vi.restoreAllMocks().
import { vi } from 'vitest';

export function captureConsole(into: string[]): void {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      into.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
}
