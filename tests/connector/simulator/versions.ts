// The Linkedin-Version header: formats YYYYMM, YYYYMMDD, YYYYMM.RR; each monthly version lives 12 months.

export type VersionCheck =
  | { ok: true; normalised: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'inactive'; normalised?: string };

/**
 * Validates a Linkedin-Version header value at time `nowMs`. A version is active when its month is the current UTC
 * month or one of the 11 months before it (12 monthly versions live at once); older and future months are
 * NONEXISTENT. `normalised` is YYYYMMDD (YYYYMM and YYYYMM.RR normalise to YYYYMM01).
 */
export function checkVersion(header: string | string[] | undefined, nowMs: number): VersionCheck {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') return { ok: false, reason: 'missing' };
  const value = raw.trim();
  const m = /^(\d{4})(\d{2})(?:(\d{2})|\.(\d{2}))?$/.exec(value);
  if (!m) return { ok: false, reason: 'malformed' };
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return { ok: false, reason: 'malformed' };
  const normalised = `${m[1]}${m[2]}${String(day).padStart(2, '0')}`;
  const now = new Date(nowMs);
  const nowIndex = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const index = year * 12 + (month - 1);
  if (index > nowIndex || index < nowIndex - 11) return { ok: false, reason: 'inactive', normalised };
  return { ok: true, normalised };
}
