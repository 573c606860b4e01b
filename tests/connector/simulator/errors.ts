// LinkedIn error bodies, as documented in /work/shared/linkedin-api.md.

export interface ApiError {
  status: number;
  body: Record<string, unknown> | string;
  headers?: Record<string, string>;
}

export function emptyToken(): ApiError {
  return { status: 401, body: { message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 } };
}

export function invalidToken(): ApiError {
  return {
    status: 401,
    body: { status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' },
  };
}

export function expiredToken(): ApiError {
  return {
    status: 401,
    body: { status: 401, serviceErrorCode: 65602, code: 'EXPIRED_ACCESS_TOKEN', message: 'The token used in the request has expired' },
  };
}

export function accessDenied(resource: string, method: string, version: string): ApiError {
  return {
    status: 403,
    body: {
      status: 403,
      serviceErrorCode: 100,
      code: 'ACCESS_DENIED',
      message: `Not enough permissions to access: ${resource}.${method}.${version}`,
    },
  };
}

export function notFound(message: string): ApiError {
  return { status: 404, body: { status: 404, serviceErrorCode: 0, code: 'NOT_FOUND', message } };
}

export function paramInvalid(inputErrors: Array<Record<string, unknown>>): ApiError {
  return {
    status: 400,
    body: {
      status: 400,
      code: 'PARAM_INVALID',
      message: 'Invalid param. Please see errorDetails for more information.',
      errorDetails: { inputErrors },
    },
  };
}

/** A parameter problem described in one sentence (missing/unknown finder parameters and the like). */
export function badParam(field: string, description: string, code = 'INVALID_VALUE_FOR_FIELD'): ApiError {
  return paramInvalid([{ description, input: { inputPath: { fieldPath: field } }, code }]);
}

export function invalidTimeIntervals(reason: string): ApiError {
  return { status: 400, body: { status: 400, message: `Invalid timeIntervals parameter: ${reason}` } };
}

export function missingVersion(): ApiError {
  return {
    status: 400,
    body: {
      status: 400,
      code: 'VERSION_MISSING',
      message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
    },
  };
}

export function malformedVersion(raw: string): ApiError {
  return {
    status: 400,
    body: {
      status: 400,
      code: 'INVALID_VERSION',
      message: `Invalid LinkedIn-Version header '${raw}'. Expected YYYYMM, YYYYMMDD or YYYYMM.RR.`,
    },
  };
}

export function nonexistentVersion(normalised: string): ApiError {
  return {
    status: 426,
    body: { status: 426, code: 'NONEXISTENT_VERSION', message: `Requested version ${normalised} is not active` },
  };
}

export function tooManyRequests(): ApiError {
  return {
    status: 429,
    body: {
      status: 429,
      serviceErrorCode: 101,
      code: 'TOO_MANY_REQUESTS',
      message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
    },
  };
}

const REASONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The default body a 'status' fault sends: LinkedIn JSON for 4xx, an HTML page for 5xx. */
export function defaultFaultBody(status: number): { body: string; contentType: string } {
  if (status >= 500) {
    const reason = REASONS[status] ?? 'Server Error';
    return {
      body: `<!DOCTYPE html>\n<html><head><title>${status} ${reason}</title></head><body><h1>${reason}</h1><p>The server encountered a temporary error. Please try again.</p></body></html>\n`,
      contentType: 'text/html; charset=utf-8',
    };
  }
  if (status === 429) return { body: JSON.stringify(tooManyRequests().body), contentType: 'application/json' };
  if (status === 401) return { body: JSON.stringify(invalidToken().body), contentType: 'application/json' };
  if (status === 403) return { body: JSON.stringify(accessDenied('organizations', 'GET', '00000000').body), contentType: 'application/json' };
  if (status === 404) return { body: JSON.stringify(notFound('Not Found').body), contentType: 'application/json' };
  return { body: JSON.stringify({ status, message: `Simulated error ${status}` }), contentType: 'application/json' };
}

/** LinkedIn's answer to the Rest.li 1.0 indexed list form (`shares[0]=...`). */
export function unpermittedFields(message: string): ApiError {
  return { status: 403, body: { status: 403, serviceErrorCode: 100, code: 'ACCESS_DENIED', message } };
}

/** A required parameter is missing: `Parameter 'type' is required`. */
export function requiredParameter(name: string): ApiError {
  return { status: 400, body: { status: 400, message: `Parameter '${name}' is required` } };
}
