// How the dashboard names and colours each asset class (allocation, projection).
import type { AssetClass } from '@finexia/contracts/portfolio.ts';

export const CLASS_LABELS: Record<AssetClass, string> = {
  crypto: 'Crypto',
  cash: 'Cash & bank',
  stablecoin: 'Stablecoins',
  equity: 'Stocks',
  fund: 'Funds',
  bond: 'Bonds',
  property: 'Property',
  vehicle: 'Vehicles',
  valuables: 'Valuables',
  debt: 'Debts',
};

export const CLASS_COLORS: Record<AssetClass, string> = {
  crypto: '#7c3aed',
  cash: '#0f766e',
  stablecoin: '#2563eb',
  equity: '#15803d',
  fund: '#0369a1',
  bond: '#4d7c0f',
  property: '#b45309',
  vehicle: '#be123c',
  valuables: '#a16207',
  debt: '#b91c1c',
};
