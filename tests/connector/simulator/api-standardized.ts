// /rest resources of LinkedIn's standardized data, which name the ids of the demographic facets: geo, industries,
// functions and seniorities, each as a batch get (?ids=List(1,2), Rest.li 2.0) and a single get (/<id>). Every id
// the follower and page statistics fixtures use has an English name; other ids are unknown: a batch answers them
// under `errors` (404), a single get with 404. Switch geoBatchRateLimited: the geo batch form answers 429 (its own
// small daily limit) while single gets still work.
import { checkRestliMethod, isError, parsed } from './api-common.js';
import type { ApiContext, ApiResponse, Call } from './api-common.js';
import * as errors from './errors.js';
import { extractList } from './restli.js';

/** The standardized data resources, by their path segment under /rest. */
export const STANDARDIZED_RESOURCES = ['geo', 'industries', 'functions', 'seniorities'] as const;
export type StandardizedResource = (typeof STANDARDIZED_RESOURCES)[number];

/** Most ids one batch get may carry. */
export const STANDARDIZED_BATCH_LIMIT = 150;

export const SENIORITY_NAMES = ['Unpaid', 'Training', 'Entry', 'Senior', 'Manager', 'Director', 'VP', 'CXO', 'Partner', 'Owner'];
export const FUNCTION_NAMES = [
  'Accounting', 'Administrative', 'Arts and Design', 'Business Development', 'Community and Social Services', 'Consulting',
  'Education', 'Engineering', 'Entrepreneurship', 'Finance', 'Healthcare Services', 'Human Resources', 'Information Technology',
  'Legal', 'Marketing', 'Media and Communication', 'Military and Protective Services', 'Operations', 'Product Management',
  'Program and Project Management', 'Purchasing', 'Quality Assurance', 'Real Estate', 'Research', 'Sales', 'Customer Success and Support',
];
const INDUSTRY_NAMES = [
  'Software Development', 'IT Services and IT Consulting', 'Financial Services', 'Hospitals and Health Care', 'Higher Education',
  'Retail', 'Manufacturing', 'Telecommunications', 'Banking', 'Insurance', 'Advertising Services', 'Staffing and Recruiting',
  'Real Estate', 'Construction', 'Civil Engineering', 'Pharmaceutical Manufacturing', 'Biotechnology Research', 'Government Administration',
  'Non-profit Organizations', 'Management Consulting', 'Marketing Services', 'Accounting', 'Law Practice', 'Oil and Gas',
  'Semiconductor Manufacturing', 'Automotive', 'Airlines and Aviation', 'Food and Beverage Services', 'Hospitality',
  'Entertainment Providers', 'Book and Periodical Publishing', 'Broadcast Media Production and Distribution', 'Transportation, Logistics, Supply Chain and Storage',
  'Wholesale', 'Computer Hardware Manufacturing', 'Computer Networking Products', 'Online Audio and Video Media', 'Design Services',
  'E-Learning Providers', 'Research Services',
];
const COUNTRY_NAMES = [
  'United States', 'United Kingdom', 'Germany', 'France', 'India', 'Canada', 'Australia', 'Brazil', 'Netherlands', 'Spain',
  'Italy', 'Ireland', 'Sweden', 'Switzerland', 'Singapore', 'Japan', 'Mexico', 'Poland', 'Belgium', 'Denmark',
  'Norway', 'Finland', 'Austria', 'Portugal', 'South Africa', 'Nigeria', 'Kenya', 'Egypt', 'United Arab Emirates', 'Saudi Arabia',
  'Israel', 'Turkey', 'Argentina', 'Chile', 'Colombia', 'Peru', 'New Zealand', 'Philippines', 'Indonesia', 'Vietnam',
];
const CITY_NAMES = [
  'San Francisco Bay Area', 'Greater London', 'Greater Paris Metropolitan Region', 'Berlin Metropolitan Area', 'Greater Bengaluru Area',
  'Greater Toronto Area', 'Greater Sydney Area', 'Greater São Paulo Area', 'Amsterdam Area', 'Madrid Metropolitan Area',
  'Milan Metropolitan Area', 'Dublin Metropolitan Area', 'Stockholm Metropolitan Area', 'Zurich Metropolitan Area', 'Greater Singapore',
  'Greater Tokyo Area', 'Mexico City Metropolitan Area', 'Warsaw Metropolitan Area', 'Brussels Metropolitan Area', 'Copenhagen Metropolitan Area',
  'Greater Oslo Region', 'Helsinki Metropolitan Area', 'Vienna Metropolitan Area', 'Lisbon Metropolitan Area', 'Cape Town Metropolitan Area',
  'Lagos Metropolitan Area', 'Nairobi Metropolitan Area', 'Greater Cairo', 'Dubai Metropolitan Area', 'Riyadh Metropolitan Area',
  'Tel Aviv Metropolitan Area', 'Istanbul Metropolitan Area', 'Buenos Aires Metropolitan Area', 'Santiago Metropolitan Area', 'Bogotá D.C. Metropolitan Area',
  'Lima Metropolitan Area', 'Auckland Metropolitan Area', 'Metro Manila', 'Jakarta Metropolitan Area', 'Ho Chi Minh City Metropolitan Area',
  'Greater Seattle Area', 'New York City Metropolitan Area', 'Greater Boston', 'Greater Chicago Area', 'Los Angeles Metropolitan Area',
  'Greater Munich Metropolitan Area', 'Greater Manchester', 'Greater Montreal Metropolitan Area', 'Greater Melbourne Area', 'Greater Hyderabad Area',
];
/** A few real geo ids, named as LinkedIn names them. */
const REAL_GEO: Record<number, string> = { 103644278: 'United States', 101165590: 'United Kingdom', 101282230: 'Germany', 106233382: 'Sunnyvale, California, United States' };

/**
 * The English name of a standardized id, or undefined for an id LinkedIn does not know. Geo: countries
 * 101000000-101999999 (the fixtures' geo_country ids), regions 90000000-100999999 (their geo ids).
 */
export function standardizedName(resource: StandardizedResource, id: number): string | undefined {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  switch (resource) {
    case 'seniorities':
      return SENIORITY_NAMES[id - 1];
    case 'functions':
      return FUNCTION_NAMES[id - 1];
    case 'industries':
      return id <= 500 ? INDUSTRY_NAMES[id % INDUSTRY_NAMES.length] : undefined;
    case 'geo':
      if (REAL_GEO[id] !== undefined) return REAL_GEO[id];
      if (id >= 101000000 && id < 102000000) return COUNTRY_NAMES[(id - 101000000) % COUNTRY_NAMES.length];
      if (id >= 90000000 && id < 101000000) return CITY_NAMES[(id - 90000000) % CITY_NAMES.length];
      return undefined;
  }
}

/** One entry as LinkedIn answers it: geo with defaultLocalizedName, the others with a localized name. */
function entry(resource: StandardizedResource, id: number, name: string): Record<string, unknown> {
  if (resource === 'geo') return { id, defaultLocalizedName: { locale: { language: 'en', country: 'US' }, value: name } };
  return { id, name: { localized: { en_US: name } }, $URN: `urn:li:${resource === 'industries' ? 'industry' : resource === 'functions' ? 'function' : 'seniority'}:${id}` };
}

function unknownId(resource: StandardizedResource, raw: string): ApiResponse {
  return errors.notFound(`No ${resource} entity found for id ${raw}`);
}

export function standardizedData(ctx: ApiContext, call: Call, resource: StandardizedResource, key: string | undefined): ApiResponse {
  if (key !== undefined) {
    const method = checkRestliMethod(call, 'GET');
    if (method) return method;
    if (!/^\d+$/.test(key)) return errors.badParam('id', `The ${resource} id must be a number, got '${key}'`);
    const name = standardizedName(resource, Number(key));
    return name === undefined ? unknownId(resource, key) : { status: 200, body: entry(resource, Number(key), name) };
  }
  const method = checkRestliMethod(call, 'BATCH_GET');
  if (method) return method;
  if (resource === 'geo' && ctx.switches.geoBatchRateLimited) return errors.tooManyRequests();
  const ids = parsed(() => extractList(call.req.rawQuery, 'ids', call.restli2));
  if (isError(ids)) return ids;
  if (ids === undefined) return errors.badParam('ids', "Required parameter 'ids' is missing", 'MISSING_REQUIRED_FIELD');
  if (ids.length > STANDARDIZED_BATCH_LIMIT) return errors.badParam('ids', `At most ${STANDARDIZED_BATCH_LIMIT} ids per request, got ${ids.length}`);
  const malformed = ids.find((id) => !/^\d+$/.test(id));
  if (malformed !== undefined) return errors.badParam('ids', `The ${resource} ids must be numbers, got '${malformed}'`);
  if (resource !== 'geo') {
    // The finder-like batch answer of industries, functions and seniorities: the entries found, in the order asked.
    const elements = ids.flatMap((id) => {
      const name = standardizedName(resource, Number(id));
      return name === undefined ? [] : [entry(resource, Number(id), name)];
    });
    return { status: 200, body: { elements } };
  }
  const results: Record<string, unknown> = {};
  const statuses: Record<string, number> = {};
  const failures: Record<string, unknown> = {};
  for (const id of ids) {
    const name = standardizedName(resource, Number(id));
    statuses[id] = name === undefined ? 404 : 200;
    if (name === undefined) failures[id] = { status: 404, message: `No geo entity found for id ${id}` };
    else results[id] = entry(resource, Number(id), name);
  }
  return { status: 200, body: { results, statuses, errors: failures } };
}
