import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as ros from '@alicloud/ros-cdk-core';
// ROS CDK runs a construct's custom synthesis after validation, with the assembly outdir in the
// session; it is the one hook where records can be written only for a synth that succeeds.
// The function is not re-exported from the package index, hence the deep import.
import { addCustomSynthesis } from '@alicloud/ros-cdk-core/lib/private/synthesis';
import { ASSEMBLY_RECORDS_DIR, ROS_PATH_METADATA_KEY } from '../../core';

/** Output dirs whose records this app run has already reset, per app (construct tree root). */
const resetOutdirs = new WeakMap<ros.IConstruct, Set<string>>();

/**
 * Run `write(outdir)` when the app is synthesized (after validation passed).
 *
 * ROS CDK reuses its output directory between runs, and records are one file per construct, so
 * the first write of a run clears the records directory: a construct removed from the app must
 * not live on in `layersmith report`.
 */
export function onSynthesize(construct: ros.IConstruct, write: (outdir: string) => void): void {
  addCustomSynthesis(construct, {
    onSynthesize: (session) => {
      const root = construct.node.root;
      const done = resetOutdirs.get(root) ?? new Set<string>();
      resetOutdirs.set(root, done);
      if (!done.has(session.outdir)) {
        done.add(session.outdir);
        fs.rmSync(path.join(session.outdir, ASSEMBLY_RECORDS_DIR), { recursive: true, force: true });
      }
      write(session.outdir);
    },
  });
}

/** Record the construct path of a resource in its template metadata (ROS CDK writes none). */
export function addPathMetadata(resource: ros.RosResource): void {
  resource.addMetaData(ROS_PATH_METADATA_KEY, resource.node.path);
}

/** The stack name a record names (the template is `<stackName>.template.json`). */
export function stackNameOf(construct: ros.IConstruct): string {
  return ros.Stack.of(construct).stackName;
}

/**
 * A name derived from the construct path that satisfies ROS's layer-name rule
 * (`^[a-zA-Z][_a-zA-Z0-9-]+$`, at most 64 characters), so a layer needs no name to be valid.
 * Long paths keep their head and get a short hash of the whole path, so names stay unique.
 */
export function defaultLayerName(construct: ros.IConstruct, maxLength: number): string {
  const stack = ros.Stack.of(construct);
  const parts = construct.node.scopes.slice(construct.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
  let name = [stack.stackName, ...parts].join('-').replace(/[^A-Za-z0-9_-]+/g, '-');
  if (!/^[A-Za-z]/.test(name)) name = `L${name}`;
  if (name.length <= maxLength) return name;
  const hash = crypto.createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, maxLength - 9)}-${hash}`;
}

/** Only letters and digits: what ROS accepts as a logical id. */
export function logicalIdPart(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9]/g, '');
  return cleaned.length > 0 ? cleaned : 'Layer';
}
