import type { SpecDefinition } from '../format/manifest-types.generated.js';
import type { MessageWriter } from '../protocol/messages.js';

/** `spec`: the connection specification, from the manifest alone. */
export async function spec(definition: SpecDefinition, output: MessageWriter): Promise<number> {
  await output.emit({
    type: 'SPEC',
    spec: { documentationUrl: definition.documentation_url, connectionSpecification: definition.connection_specification },
  });
  return 0;
}
