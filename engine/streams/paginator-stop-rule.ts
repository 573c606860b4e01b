import type { SuccessfulResponse } from '../http/send-with-retries.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { ExpressionContext, Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { RequestOptionDefinition } from '../format/manifest-types.generated.js';
import { injectOption } from './request-option.js';

interface PagingDeclaration {
  page_size?: number;
  page_size_option?: RequestOptionDefinition;
  stop_condition?: string;
  inject_on_first_request: boolean;
}

/** What every paginator shares: the page size option and the declared stop condition. */
export class PagingRules {
  readonly pageSize?: number;
  readonly injectOnFirstRequest: boolean;
  private readonly pageSizeOption?: RequestOptionDefinition;
  private readonly stopCondition?: Template;

  constructor(definition: PagingDeclaration, path: Path, context: ComponentContext) {
    this.pageSize = definition.page_size;
    this.pageSizeOption = definition.page_size_option;
    this.injectOnFirstRequest = definition.inject_on_first_request;
    this.stopCondition = context.optionalTemplate(definition.stop_condition, [...path, 'stop_condition']);
  }

  withPageSize(options: RequestOptions): RequestOptions {
    return injectOption(options, this.pageSizeOption, this.pageSize);
  }

  /** The expression context paginator templates see. */
  pageContext(response: SuccessfulResponse, recordCount: number, context: ExpressionContext): ExpressionContext {
    return { ...context, response: response.body, headers: response.response.headers, last_page_size: recordCount };
  }

  /** True when the declared stop condition holds; undefined when none is declared. */
  async declaredStop(pageContext: ExpressionContext): Promise<boolean | undefined> {
    if (!this.stopCondition) return undefined;
    return Boolean(await this.stopCondition.evaluate(pageContext));
  }

  /** Without a declared condition: a page shorter than the page size (or empty) is the last. */
  async shouldStop(pageContext: ExpressionContext, recordCount: number): Promise<boolean> {
    const declared = await this.declaredStop(pageContext);
    if (declared !== undefined) return declared;
    return recordCount === 0 || (this.pageSize !== undefined && recordCount < this.pageSize);
  }
}
