import type { Runtime } from '../core/runtime.js';
import type { SourceLocation } from '../core/source-location.js';
import type { CompiledValue } from '../expressions/compiled-value.js';
import type { Template } from '../expressions/template.js';
import type { CheckStreamDefinition, ComponentDefinition, SpecDefinition } from './manifest-types.generated.js';

/** Where a declaration sits in the manifest: keys and indexes from the root. */
export type Path = (string | number)[];

/**
 * Each component `type:` name and what its declaration is built into. Declarations used as they are (data) are listed
 * here; every component module adds its own entry:
 * `declare module '../format/component-context.js' { interface Components { SimpleRetriever: SimpleRetriever } }`.
 */
export interface Components {
  /** The spec is data: the protocol layer prints it and validates the config with it. */
  Spec: SpecDefinition;
  /** The check names streams; the compiler checks that they exist and the check command reads them. */
  CheckStream: CheckStreamDefinition;
}

/** Every `type:` name the manifest format declares. */
export type ComponentType = ComponentDefinition['type'];

/** Each `type:` name and its declaration. */
type DefinitionsByType = { [D in ComponentDefinition as D['type']]: D };

/** The declaration a `type:` name stands for. */
export type DefinitionOf<K extends ComponentType> = DefinitionsByType[K];

/** What a component is built with: its place in the manifest, expression compilation, the runtime, and its parts. */
export interface ComponentContext {
  readonly runtime: Runtime;
  /** Folder the manifest's relative paths (schema files) are read from. */
  readonly baseDir: string;
  /** The component a declaration's `type:` names; a declaration shared through $ref gives one shared component. */
  build<K extends ComponentType>(definition: DefinitionOf<K> & { type: K }, path: Path): Components[K];
  template(text: string, path: Path): Template;
  optionalTemplate(text: string | undefined, path: Path): Template | undefined;
  /** A value whose strings are templates, e.g. request parameters. */
  value(value: unknown, path: Path): CompiledValue;
  location(path: Path): SourceLocation;
  /** The location as people read it, e.g. `streams[0].retriever (manifest.yaml:12:7)`. */
  describe(path: Path): string;
}
