import type { Runtime } from '../core/runtime.js';
import { Template } from '../expressions/template.js';
import { compileValue, type CompiledValue } from '../expressions/compiled-value.js';
import { positionOf, type LoadedManifest } from './load.js';
import { childPath, describeLocation, type SourceLocation } from '../core/source-location.js';

export type Path = (string | number)[];

/** What a component factory gets: its place in the manifest, expression compilation, and the runtime. */
export class CompileContext {
  constructor(
    private readonly manifest: LoadedManifest,
    readonly runtime: Runtime,
    /** Folder the manifest's relative paths (schema files) are read from. */
    readonly baseDir: string,
    private readonly registry: ComponentRegistry,
  ) {}

  /** Builds the component a declaration's `type:` names (the manifest schema has already vetted the type). */
  build<T>(definition: { type: string }, path: Path): T {
    const built = this.built.get(definition);
    if (built !== undefined) return built as T;
    const factory = this.registry[definition.type];
    if (!factory) throw new Error(`No component is registered for type "${definition.type}" at ${this.describe(path)}`);
    const component = (factory as (d: unknown, p: Path, c: CompileContext) => T)(definition, path, this);
    this.built.set(definition, component);
    return component;
  }

  /** Components by declaration: a declaration shared through $ref becomes one shared component. */
  private readonly built = new WeakMap<object, unknown>();

  location(path: Path): SourceLocation {
    const position = positionOf(this.manifest.value, path, this.manifest.positions);
    return {
      path: path.reduce<string>((out, key) => childPath(out, key), ''),
      file: this.manifest.file,
      line: position?.line,
      column: position?.column,
    };
  }

  describe(path: Path): string {
    return describeLocation(this.location(path));
  }

  template(text: string, path: Path): Template {
    return Template.compile(text, this.location(path), this.runtime.clock);
  }

  value(value: unknown, path: Path): CompiledValue {
    return compileValue(value, (inner) => this.location([...path, ...inner]), this.runtime.clock);
  }

  optionalTemplate(text: string | undefined, path: Path): Template | undefined {
    return text === undefined ? undefined : this.template(text, path);
  }
}

/** A factory turns one declaration into a component; the registry maps each `type:` to one. */
export type ComponentFactory = (definition: never, path: Path, context: CompileContext) => unknown;
export type ComponentRegistry = Record<string, ComponentFactory>;
