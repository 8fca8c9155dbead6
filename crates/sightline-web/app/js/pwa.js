// Installable app: the service worker (app shell only) and the install
// hint, which iOS needs because Safari has no install prompt.
import { h } from './dom.js';
import { hasFlag, setFlag } from './device-store.js';

let deferredPrompt = null;
window.addEventListener('beforeinstallprompt', (e) => {
  e.preventDefault();
  deferredPrompt = e;
});

export function registerServiceWorker() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* the app works without it */ });
  }
}

const standalone = () => window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
const isIos = () => /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);

/** A dismissible banner explaining how to install, or null. */
export function installHint() {
  if (standalone() || hasFlag('install-hint-dismissed')) return null;
  let text = null;
  let action = null;
  if (isIos()) {
    text = 'Install Sightline on this phone: tap the Share button, then "Add to Home Screen".';
  } else if (deferredPrompt) {
    text = 'Sightline can be installed as an app on this device.';
    action = h('button', { type: 'button', class: 'secondary', onclick: async () => { deferredPrompt.prompt(); deferredPrompt = null; document.getElementById('install-hint')?.remove(); } }, 'Install');
  }
  if (!text) return null;
  return h('div', { id: 'install-hint', class: 'notice info install-hint', role: 'note' },
    h('span', {}, text),
    h('span', { class: 'actions' }, action,
      h('button', { type: 'button', class: 'link', onclick: () => { setFlag('install-hint-dismissed'); document.getElementById('install-hint')?.remove(); } }, 'Dismiss')));
}
