/** A place in the manifest: the YAML path, and where it stands in the file when known. */
export interface SourceLocation {
  /** Path in the resolved manifest, e.g. `streams[2].retriever.requester.path`. */
  path: string;
  file?: string;
  line?: number;
  column?: number;
}

export function describeLocation(location: SourceLocation): string {
  if (location.line === undefined) return location.path;
  const file = location.file ?? 'manifest';
  return `${location.path} (${file}:${location.line}:${location.column ?? 1})`;
}

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return parent ? `${parent}.${safe}` : safe;
}
