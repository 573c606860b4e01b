// Builds an ErrorHandler the way the compiler does, with the schema's defaults filled in by hand.
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import { ErrorHandler } from '../../../../engine/http/error-handler.js';
import { CompileContext } from '../../../../engine/manifest/compile-context.js';
import type { ErrorHandlerDefinition, HttpResponseFilterDefinition } from '../../../../engine/format/manifest-types.generated.js';
import type { Runtime } from '../../../../engine/core/runtime.js';
import { PROJECT_ROOT } from '../../../helpers/index.js';

export type HandlerSpec = Partial<Omit<ErrorHandlerDefinition, 'response_filters'>> & {
  response_filters?: (Partial<HttpResponseFilterDefinition> & { action: HttpResponseFilterDefinition['action'] })[];
};

export function errorHandler(spec: HandlerSpec, runtime: Runtime): ErrorHandler {
  const definition: ErrorHandlerDefinition = {
    type: 'ErrorHandler',
    max_attempts: 5,
    max_wait_seconds: 600,
    backoff_strategies: [{ type: 'ExponentialBackoff', factor: 5 }],
    ...spec,
    response_filters: (spec.response_filters ?? []).map((filter) => ({ type: 'HttpResponseFilter', ...filter })),
  };
  const context = new CompileContext(
    { value: { error_handler: definition }, positions: new WeakMap(), file: 'manifest.yaml' },
    runtime,
    PROJECT_ROOT,
    componentRegistry,
  );
  return context.build(definition, ['error_handler']);
}
