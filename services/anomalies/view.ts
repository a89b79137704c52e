// The only shape in which an anomaly leaves the service.
import type { AnomalyView } from '@finexia/contracts/api.ts';
import type { AnomalyRecord } from '../../infra/models/anomaly.model.ts';

export function anomalyView(a: AnomalyRecord): AnomalyView {
  return {
    id: a.publicId,
    type: a.type,
    severity: a.severity,
    status: a.status,
    date: a.date,
    historical: a.historical,
    reason: a.reason,
    evidence: a.evidence ?? {},
    transactionIds: a.transactionIds ?? [],
    walletIds: a.walletIds ?? [],
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
