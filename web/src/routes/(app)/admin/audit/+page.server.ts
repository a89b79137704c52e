// The security audit log for admins (the API answers 403 to anyone else, shown as the error page).
import { AUDIT_TYPES, type AuditPage, type AuditType } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, url }) => {
  const wanted = url.searchParams.get('type');
  const type = AUDIT_TYPES.includes(wanted as AuditType) ? (wanted as AuditType) : null;
  const cursor = url.searchParams.get('cursor');
  const query: Record<string, string | number> = { limit: 50 };
  if (type) query.type = type;
  if (cursor && /^[0-9a-f]{24}$/.test(cursor)) query.cursor = cursor;
  return { type, page: await fromApi(locals.api.get<AuditPage>('/users/audit', query)) };
}) satisfies PageServerLoad;
