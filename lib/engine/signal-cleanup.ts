import * as fs from 'fs';

/**
 * Removes a build's temp files and directories when the process is interrupted (SIGINT from
 * Ctrl-C, SIGTERM from a CI runner, SIGHUP from a closed terminal), then lets the signal end the
 * process as it would have. Handlers are installed only while something is registered, so a
 * process that is not building keeps its own signal behaviour. SIGKILL cannot be caught: what a
 * killed build leaves is removed by the next build's sweep instead.
 */

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const registered = new Set<string>();
let installed = false;

/**
 * Registers a path (file or directory) to remove if the process is interrupted. Returns the
 * function that unregisters it; call it once the path is renamed into place or removed.
 */
export function removeOnSignal(p: string): () => void {
  registered.add(p);
  if (!installed) {
    for (const s of SIGNALS) process.on(s, onSignal);
    installed = true;
  }
  return () => {
    registered.delete(p);
    if (registered.size === 0) uninstall();
  };
}

/** Paths currently registered (for tests). */
export function registeredForSignal(): string[] {
  return [...registered];
}

function uninstall(): void {
  if (!installed) return;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  installed = false;
}

function onSignal(signal: NodeJS.Signals): void {
  for (const p of registered) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort: the next build's sweep removes what is left
    }
  }
  registered.clear();
  uninstall();
  // With no other listener Node restores the default action, so the re-raised signal ends the
  // process with the signal's status, as if we had never caught it. Another listener decides
  // for itself.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
