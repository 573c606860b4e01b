import { ConnectorError } from '../core/errors.js';
import type { HttpRequester, RequestOptions } from '../http/http-requester.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { SliceProgress } from './cursor.js';
import type { SimpleRetrieverDefinition } from '../format/manifest-types.generated.js';
import type { MissingRecordsFiller } from './missing-records-filler.js';
import { NoPagination } from './no-pagination.js';
import type { NextPage, Paginator } from './paginator.js';
import { singlePartition, type PartitionRouter } from './partition-router.js';
import { mergeOptions } from './request-option.js';
import type { RecordSelector, StreamRecord } from './record-selector.js';

/**
 * What a stream does with a page's records before they count as read (its transformations), and why they cannot
 * be used (a record without a field every record must have), said to follow a status; undefined when they can.
 */
export type PageCheck = (records: StreamRecord[]) => string | undefined | Promise<string | undefined>;

/** What a cursor's slice adds to its pages: options for every request, and which records each page gives. */
export interface SlicePaging {
  options?: RequestOptions;
  /** Takes each page's records once checked: drops those the cursor has seen or is past, and may stop the paging. */
  progress?: Pick<SliceProgress, 'take'>;
}

/** Requests every page of one partition and slice, and yields each page's records. */
export class SimpleRetriever {
  readonly partitionRouter: PartitionRouter;
  readonly requester: HttpRequester;
  private readonly selector: RecordSelector;
  private readonly paginator: Paginator;
  private readonly missingRecords?: MissingRecordsFiller;
  private readonly where: string;
  private readonly missingWhere: string;

  constructor(definition: SimpleRetrieverDefinition, path: Path, context: ComponentContext) {
    this.requester = context.build(definition.requester, [...path, 'requester']);
    this.selector = context.build(definition.record_selector, [...path, 'record_selector']);
    this.paginator = context.build(definition.paginator, [...path, 'paginator']);
    this.partitionRouter = definition.partition_router
      ? context.build(definition.partition_router, [...path, 'partition_router'])
      : singlePartition;
    this.missingRecords = definition.missing_records ? context.build(definition.missing_records, [...path, 'missing_records']) : undefined;
    this.where = context.describe([...path, 'paginator']);
    this.missingWhere = context.describe([...path, 'missing_records']);
  }

  /** Whether a partition and slice may take more than one request: its paginator asks for pages after the first. */
  get paged(): boolean {
    return !(this.paginator instanceof NoPagination);
  }

  /** The first page's request of a partition and slice, as it would be sent (without credentials). */
  firstRequest(context: ExpressionContext, slice: SlicePaging = {}) {
    const page = this.paginator.start().first();
    return this.requester.prepare({ ...context, next_page_token: page.token }, mergeOptions(slice.options, page.options) ?? {});
  }

  /**
   * The pages of one partition and slice. A page is taken only once its body has the declared shape and its
   * records pass `check`: otherwise the request is retried like an answer that is not JSON, then fails. A slice's
   * progress then takes the records it emits, and stops the paging when it says so (a data feed past its cursor):
   * no further page is requested.
   */
  async *pages(context: ExpressionContext, check?: PageCheck, slice: SlicePaging = {}): AsyncGenerator<StreamRecord[]> {
    if (!this.missingRecords) {
      yield* this.readPages(context, check, slice);
      return;
    }
    // Records for the partition's values no page carried, once every page was read (none after an ignored answer).
    const filler = this.missingRecords.start(context);
    const outcome = { ignored: false };
    for await (const records of this.readPages(context, check, slice, outcome)) {
      filler.seen(records);
      yield records;
    }
    if (outcome.ignored) return;
    const made = await filler.missing();
    if (made.length === 0) return;
    const problem = await check?.(made);
    if (problem !== undefined) {
      throw new ConnectorError(`The records made for missing values (${this.missingWhere}) cannot be used: the made-up records are ${problem}.`, {
        failureType: 'config_error',
        code: 'MANIFEST_INVALID',
      });
    }
    yield slice.progress ? slice.progress.take(made).records : made;
  }

  private async *readPages(context: ExpressionContext, check: PageCheck | undefined, slice: SlicePaging, outcome = { ignored: false }): AsyncGenerator<StreamRecord[]> {
    const walk = this.paginator.start();
    let page: NextPage | null = walk.first();
    const requested = new Set<string>([pageKey(page)]);
    let previousBody: string | undefined;
    let count = 0;
    // One check per slice, run on each attempt's body: the records of the attempt it accepts are the page's.
    let pageContext: ExpressionContext = context;
    let records: StreamRecord[] = [];
    // The page's records before record_filter: the paginator counts what the page held, not what was kept.
    let received: StreamRecord[] = [];
    const accept = (selected: StreamRecord[]) => {
      records = selected;
      return check?.(selected);
    };
    const usable = (body: unknown) => {
      const problem = this.selector.problem(body);
      if (problem !== undefined) return problem;
      received = this.selector.found(body);
      const selected = this.selector.keep(received, pageContext);
      return selected instanceof Promise ? selected.then(accept) : accept(selected);
    };
    while (page) {
      pageContext = { ...context, next_page_token: page.token };
      const result = await this.requester.send(pageContext, mergeOptions(slice.options, page.options) ?? {}, usable);
      if (!result) {
        outcome.ignored = true;
        return;
      }
      const taken = slice.progress?.take(records);
      if (taken?.stop) {
        yield taken.records;
        return;
      }
      if (received.length > 0 && result.response.body === previousBody) {
        throw this.loop(`page ${count + 1} is identical to the page before it`);
      }
      previousBody = result.response.body;
      const reporting = this.selector.reportErrors(result.body, pageContext);
      if (reporting) await reporting;
      yield taken ? taken.records : records;
      count += 1;
      if (this.paginator.maxPages !== undefined && count >= this.paginator.maxPages) return;
      // Paginators count the records the API sent: record_filter must not make a full page look short.
      page = await walk.next(result, received.length, pageContext);
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

/** A page's options with the slice's under them: the paginator's win where both set the same field. */

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
