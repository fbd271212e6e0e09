import * as os from 'os';
import * as path from 'path';

/** $LAYERSMITH_CACHE_DIR, else ~/.cache/layersmith: outside any cloud assembly, shared by apps. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.LAYERSMITH_CACHE_DIR;
  if (fromEnv && fromEnv.trim()) return path.resolve(fromEnv);
  return path.join(os.homedir(), '.cache', 'layersmith');
}
