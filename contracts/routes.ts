// What each REST route under /api/v1 answers with: one table, the contract of every success
// body. The gateway checks each response against it while testing (CONTRACT_CHECK), with JSON
// Schemas generated from these very types (scripts/contract-schemas.ts): a body that breaks its
// contract fails the request that produced it. `null`: the route answers 204 with no body.
import type {
  AccountDeletion,
  AnomalyPage,
  AnomalyView,
  AuditPage,
  BalanceHistory,
  CandleList,
  CategoryList,
  CredentialsRotated,
  GoalList,
  GoalView,
  HealthScoreView,
  HistoryResponse,
  ImportPreview,
  ImportResult,
  ChainList,
  InstitutionList,
  LinkToken,
  LoanSchedule,
  NotificationList,
  PriceChanges,
  PriceList,
  ProjectionView,
  QuestionnaireView,
  RecommendationList,
  ScoreHistoryView,
  SessionList,
  SessionResponse,
  TransactionPage,
  TransactionView,
  UnreadCount,
  UserPage,
  UserView,
  ValueAtResponse,
  WalletDeleted,
  WalletList,
  WalletView,
  WebhookCreated,
  WebhookDeliveries,
  WebhookList,
  WebhookReceived,
} from './api.ts';
import type { PortfolioView } from './portfolio.ts';
import type { ImportReport } from './export.ts';

/** A file streamed to the client (its content type says what it is). */
export type ExportArchive = 'application/zip';

export interface ApiResponses {
  'POST /auth/register': SessionResponse;
  'POST /auth/login': SessionResponse;
  'POST /auth/refresh': SessionResponse;
  'POST /auth/logout': null;
  'POST /auth/logout-all': null;
  'GET /auth/me': UserView;
  'GET /auth/sessions': SessionList;

  'GET /users/me': UserView;
  'PATCH /users/me': UserView;
  'POST /users/me/email': UserView;
  'POST /users/me/password': UserView;
  'PATCH /users/me/preferences': UserView;
  'GET /users': UserPage;
  'PUT /users/:id/disabled': UserView;
  'PUT /users/:id/role': UserView;
  'GET /users/audit': AuditPage;
  'DELETE /users/me': AccountDeletion;
  /** a zip, streamed as it is made (not JSON: the check skips a stream) */
  'GET /users/me/export': ExportArchive;
  'POST /users/me/import': ImportReport;
  'DELETE /users/:id': AccountDeletion;

  'GET /wallets': WalletList;
  'GET /wallets/:id': WalletView;
  'GET /wallets/bank/institutions': InstitutionList;
  'POST /wallets/bank/link-token': LinkToken;
  'POST /wallets/bank': WalletView;
  'POST /wallets/brokerage': WalletView;
  'POST /wallets/exchange': WalletView;
  'POST /wallets/manual': WalletView;
  'POST /wallets/chain': WalletView;
  'GET /wallets/chains': ChainList;
  'PATCH /wallets/:id': WalletView;
  'POST /wallets/:id/archive': WalletView;
  'POST /wallets/:id/unarchive': WalletView;
  'DELETE /wallets/:id': WalletDeleted;
  'POST /wallets/:id/sync': WalletView;
  'GET /wallets/:id/balances': BalanceHistory;
  'GET /wallets/:id/schedule': LoanSchedule;
  'PUT /wallets/:id/balances/:date': WalletView;
  'DELETE /wallets/:id/balances/:date': WalletView;
  'PUT /wallets/:id/holdings/:asset': WalletView;
  'DELETE /wallets/:id/holdings/:asset': WalletView;
  'POST /wallets/admin/rotate-credentials': CredentialsRotated;
  'POST /wallets/webhooks/plaid': WebhookReceived;

  'GET /transactions': TransactionPage;
  'GET /transactions/:id': TransactionView;
  'POST /transactions': TransactionView;
  'PATCH /transactions/:id': TransactionView;
  'DELETE /transactions/:id': null;
  'GET /transactions/categories': CategoryList;
  'POST /transactions/import/preview': ImportPreview;
  'POST /transactions/import/:importId/commit': ImportResult;

  'GET /portfolio': PortfolioView;
  'GET /portfolio/history': HistoryResponse;
  'GET /portfolio/history/at': ValueAtResponse;

  'GET /market/prices': PriceList;
  'GET /market/candles': CandleList;
  'GET /market/changes': PriceChanges;

  'GET /notifications': NotificationList;
  'POST /notifications/:id/read': UnreadCount;
  'POST /notifications/read-all': UnreadCount;
  'GET /notifications/webhooks': WebhookList;
  'POST /notifications/webhooks': WebhookCreated;
  'DELETE /notifications/webhooks/:id': null;
  'POST /notifications/webhooks/:id/test': { deliveryId: string };
  'GET /notifications/webhooks/:id/deliveries': WebhookDeliveries;

  'GET /anomalies': AnomalyPage;
  'GET /anomalies/:id': AnomalyView;
  'POST /anomalies/:id/dismiss': AnomalyView;
  'POST /anomalies/:id/expected': AnomalyView;

  'GET /insights/score': HealthScoreView;
  'GET /insights/score/history': ScoreHistoryView;
  'GET /insights/questionnaire': QuestionnaireView;
  'PUT /insights/questionnaire': HealthScoreView;
  'GET /insights/recommendations': RecommendationList;
  'POST /insights/recommendations/dismiss': RecommendationList;
  'POST /insights/projection': ProjectionView;
  'GET /insights/goals': GoalList;
  'POST /insights/goals': GoalView;
  'PATCH /insights/goals/:id': GoalView;
  'DELETE /insights/goals/:id': null;
}

export type ApiRoute = keyof ApiResponses;
