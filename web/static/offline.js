/* global localStorage, document, location, addEventListener, navigator, fetch, setInterval */
// The offline page's figures: what the app last kept on this device (web/src/lib/last-known.ts
// writes them), drawn as text; back to the live dashboard when the network returns.
(() => {
  const text = (() => {
    try {
      return localStorage.getItem('finexia:last-known');
    } catch {
      return null;
    }
  })();
  const known = text ? JSON.parse(text) : null;
  const format = (value, currency) =>
    new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(Number(value));
  if (known) {
    document.getElementById('known').hidden = false;
    document.querySelector('[data-testid="as-of"]').textContent =
      `As of ${new Date(known.asOf).toLocaleString()}: the figures the app last saw. They update when the network returns.`;
    document.querySelector('[data-testid="offline-net-worth"]').textContent = format(
      known.netWorth,
      known.currency,
    );
    document.getElementById('day').textContent =
      `Net worth; ${format(known.dayChange, known.currency)} that day.`;
    const body = document.getElementById('holdings');
    for (const h of known.holdings) {
      const row = document.createElement('tr');
      const asset = document.createElement('td');
      const value = document.createElement('td');
      asset.textContent = h.asset;
      value.textContent = format(h.value, known.currency);
      row.append(asset, value);
      body.append(row);
    }
  } else document.getElementById('nothing').hidden = false;
  const back = () => location.assign('/dashboard');
  addEventListener('online', back);
  // the event is not all there is: the server may have been out of reach while the device was
  // online (and an emulated network may not say it came back): ask it every few seconds
  setInterval(() => {
    if (!navigator.onLine) return;
    fetch('/healthz', { cache: 'no-store' })
      .then((res) => res.ok && back())
      .catch(() => undefined);
  }, 3000);
})();
