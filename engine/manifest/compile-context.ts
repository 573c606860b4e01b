import type { Runtime } from '../core/runtime.js';
import { Template } from '../expressions/template.js';
import { compileValue, type CompiledValue } from '../expressions/compiled-value.js';
import type { ComponentContext, Components, ComponentType, DefinitionOf, Path } from '../format/component-context.js';
import { positionOf, type LoadedManifest } from './load.js';
import type { ComponentRegistry } from './registry.js';
import { childPath, describeLocation, type SourceLocation } from '../core/source-location.js';

/** The components built so far of the types T, by declaration. */
type BuiltComponents<T extends ComponentType = ComponentType> = { [K in T]?: WeakMap<DefinitionOf<K>, Components[K]> };

/** The context components are built with, over one loaded manifest and one runtime. */
export class CompileContext implements ComponentContext {
  private readonly built: BuiltComponents = {};

  constructor(
    private readonly manifest: LoadedManifest,
    readonly runtime: Runtime,
    /** Folder the manifest's relative paths (schema files) are read from. */
    readonly baseDir: string,
    private readonly registry: ComponentRegistry,
  ) {}

  /** Builds the component a declaration's `type:` names; a declaration shared through $ref becomes one shared component. */
  build<K extends ComponentType>(definition: DefinitionOf<K> & { type: K }, path: Path): Components[K] {
    const type: K = definition.type;
    const built = this.builtOfType(type);
    const existing = built.get(definition);
    if (existing !== undefined) return existing;
    const component = this.registry[type](definition, path, this);
    built.set(definition, component);
    return component;
  }

  private builtOfType<K extends ComponentType>(type: K): WeakMap<DefinitionOf<K>, Components[K]> {
    // Seen as the table of type K alone, its entry can be created with its own type.
    const built: BuiltComponents<K> = this.built;
    return (built[type] ??= new WeakMap());
  }

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
    return Template.compile(text, this.location(path), this.runtime.clock, this.runtime.startedAt);
  }

  value(value: unknown, path: Path): CompiledValue {
    return compileValue(value, (inner) => this.location([...path, ...inner]), this.runtime.clock, [], this.runtime.startedAt);
  }

  optionalTemplate(text: string | undefined, path: Path): Template | undefined {
    return text === undefined ? undefined : this.template(text, path);
  }
}
