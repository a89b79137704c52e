// The keys by which server loads declare what they depend on (`depends`) and live pages
// ask for them again (`invalidate`) when an event says the data changed.
export const DEPENDS = {
  wallets: 'app:wallets',
  transactions: 'app:transactions',
  notifications: 'app:notifications',
  anomalies: 'app:anomalies',
  insights: 'app:insights',
} as const;
