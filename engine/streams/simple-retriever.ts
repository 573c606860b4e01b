import { ConnectorError } from '../core/errors.js';
import type { HttpRequester } from '../http/http-requester.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { SimpleRetrieverDefinition } from '../format/manifest-types.generated.js';
import type { NextPage, Paginator } from './paginator.js';
import { singlePartition, type PartitionRouter } from './partition-router.js';
import { mergeOptions } from './request-option.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { RecordSelector, StreamRecord } from './record-selector.js';

/**
 * What a stream does with a page's records before they count as read (its transformations), and why they cannot
 * be used (a record without a field every record must have), said to follow a status; undefined when they can.
 */
export type PageCheck = (records: StreamRecord[]) => string | undefined | Promise<string | undefined>;

/** Requests every page of one partition and slice, and yields each page's records. */
export class SimpleRetriever {
  readonly partitionRouter: PartitionRouter;
  readonly requester: HttpRequester;
  private readonly selector: RecordSelector;
  private readonly paginator: Paginator;
  private readonly where: string;

  constructor(definition: SimpleRetrieverDefinition, path: Path, context: ComponentContext) {
    this.requester = context.build(definition.requester, [...path, 'requester']);
    this.selector = context.build(definition.record_selector, [...path, 'record_selector']);
    this.paginator = context.build(definition.paginator, [...path, 'paginator']);
    this.partitionRouter = definition.partition_router
      ? context.build(definition.partition_router, [...path, 'partition_router'])
      : singlePartition;
    this.where = context.describe([...path, 'paginator']);
  }

  /** The first page's request of a partition and slice, as it would be sent (without credentials). */
  firstRequest(context: ExpressionContext, partitionOptions?: RequestOptions) {
    const page = this.paginator.start().first();
    return this.requester.prepare({ ...context, next_page_token: page.token }, mergeOptions(partitionOptions, page.options));
  }

  /**
   * The pages of one partition and slice. A page is taken only once its body has the declared shape and its
   * records pass `check`: otherwise the request is retried like an answer that is not JSON, then fails. Every
   * request also carries `partitionOptions` (what the partition injects).
   */
  async *pages(context: ExpressionContext, check?: PageCheck, partitionOptions?: RequestOptions): AsyncGenerator<StreamRecord[]> {
    const walk = this.paginator.start();
    let page: NextPage | null = walk.first();
    const requested = new Set<string>([pageKey(page)]);
    let previousBody: string | undefined;
    let count = 0;
    // One check per slice, run on each attempt's body: the records of the attempt it accepts are the page's.
    let pageContext: ExpressionContext = context;
    let records: StreamRecord[] = [];
    const accept = (selected: StreamRecord[]) => {
      records = selected;
      return check?.(selected);
    };
    const usable = (body: unknown) => {
      const problem = this.selector.problem(body);
      if (problem !== undefined) return problem;
      const selected = this.selector.select(body, pageContext);
      return selected instanceof Promise ? selected.then(accept) : accept(selected);
    };
    while (page) {
      pageContext = { ...context, next_page_token: page.token };
      const result = await this.requester.send(pageContext, mergeOptions(partitionOptions, page.options), usable);
      if (!result) return;
      if (records.length > 0 && result.response.body === previousBody) {
        throw this.loop(`page ${count + 1} is identical to the page before it`);
      }
      previousBody = result.response.body;
      yield records;
      count += 1;
      if (this.paginator.maxPages !== undefined && count >= this.paginator.maxPages) return;
      page = await walk.next(result, records, pageContext);
      if (page) {
        const key = pageKey(page);
        if (requested.has(key)) throw this.loop(`the next page token ${key} was already requested`);
        requested.add(key);
      }
    }
  }

  private loop(detail: string): ConnectorError {
    return new ConnectorError(
      `Pagination is going in circles: ${detail}. Check the paginator at ${this.where}: its token or stop condition does not match what the API returns.`,
      { failureType: 'system_error', code: 'RESPONSE_INVALID' },
    );
  }
}

function pageKey(page: NextPage): string {
  // JSON.stringify answers undefined for undefined (neither token nor options), whatever its type says.
  const key = JSON.stringify(page.token ?? page.options) as string | undefined;
  return key ?? 'first';
}

declare module '../format/component-context.js' {
  interface Components {
    SimpleRetriever: SimpleRetriever;
  }
}
