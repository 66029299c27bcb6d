import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createApi } from './api/client';
import type { CurrentKey } from './api/types';
import { ErrorBox, Skeleton } from './components/ui';
import { DeliveryPage } from './pages/delivery-page';
import { EventsPage } from './pages/events-page';
import { HistoryPage } from './pages/history-page';
import { KeysPage } from './pages/keys-page';
import { WebhookDetailPage } from './pages/webhook-detail-page';
import { WebhookFormPage } from './pages/webhook-form-page';
import { WebhooksPage } from './pages/webhooks-page';
import { href, type Route, useRoute } from './router';
import { type Session, SESSION_KEY, SessionContext, useSession } from './session';

export function App() {
  const [apiKey, setApiKey] = useState(() => sessionStorage.getItem(SESSION_KEY) ?? '');
  const [me, setMe] = useState<CurrentKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(SESSION_KEY);
    setApiKey('');
    setMe(null);
  }, []);
  const api = useMemo(() => createApi(apiKey, signOut), [apiKey, signOut]);

  useEffect(() => {
    if (!apiKey) return;
    let current = true;
    api<CurrentKey>('GET', '/v1/me').then(
      (who) => current && setMe(who),
      (caught: unknown) => {
        if (!current) return;
        setError(caught);
        signOut();
      },
    );
    return () => {
      current = false;
    };
  }, [api, apiKey, signOut]);

  if (!apiKey) {
    return (
      <SignIn
        error={error}
        onSignIn={(key) => {
          setError(null);
          sessionStorage.setItem(SESSION_KEY, key);
          setApiKey(key);
        }}
      />
    );
  }
  if (!me) {
    return (
      <main className="signin">
        <Skeleton rows={2} label="Signing in" />
      </main>
    );
  }
  const session: Session = {
    api,
    apiKey,
    me,
    can: (action) => me.permissions.includes(action),
    signOut,
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function SignIn({ onSignIn, error }: { onSignIn: (key: string) => void; error: unknown }) {
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() !== '') onSignIn(key.trim());
  };
  return (
    <main className="signin">
      <form className="card form" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">
          <span className="logo" aria-hidden="true" /> Hookline
        </h1>
        <p className="muted">
          Sign in with an API key. It is kept in this tab only and forgotten when the tab closes.
        </p>
        <ErrorBox error={error} />
        <div className="field">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="hk_…"
          />
          <div className="hint">
            <code>npm start</code> prints one; an admin creates more under API keys.
          </div>
        </div>
        <button type="submit" className="button primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

const NAV: Array<{ path: string; label: string; admin?: boolean }> = [
  { path: 'webhooks', label: 'Webhooks' },
  { path: 'history', label: 'History' },
  { path: 'events', label: 'Event catalog' },
  { path: 'keys', label: 'API keys', admin: true },
];

function Shell() {
  const route = useRoute();
  const session = useSession();
  const main = useRef<HTMLElement>(null);
  const page = route.path.join('/');
  const first = useRef(true);
  // A new page starts at its top, the keyboard at its content, as a page load would; a new
  // query (History's filters) keeps the focus where it is.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.focus({ preventScroll: true });
  }, [page]);
  return (
    <div className="shell">
      {/* Not href="#main": the fragment is the page's address. */}
      <a
        className="skip"
        href={href(route.path)}
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href(['webhooks'])}>
          <span className="logo" aria-hidden="true" /> Hookline
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.admin || session.can('keys:manage')).map((item) => (
              <li key={item.path}>
                <a
                  href={href([item.path])}
                  aria-current={(route.path[0] ?? 'webhooks') === item.path ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="muted small">
            {session.me.company} · <span data-testid="role">{session.me.role}</span>
          </span>
          <button type="button" className="button small ghost" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {/* Keyed by the page: another webhook's page starts afresh, with nothing of the last
            one's (a secret shown once, a form's values). */}
        <Page key={page} route={route} />
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  const [section = 'webhooks', id, sub] = route.path;
  const session = useSession();
  if (section === 'webhooks') {
    if (id === 'new') return session.can('webhooks:write') ? <WebhookFormPage /> : <NotAllowed />;
    if (id && sub === 'edit') {
      return session.can('webhooks:write') ? <WebhookFormPage id={id} /> : <NotAllowed />;
    }
    if (id) return <WebhookDetailPage id={id} />;
    return <WebhooksPage />;
  }
  if (section === 'history') return id ? <DeliveryPage id={id} /> : <HistoryPage route={route} />;
  if (section === 'events') return <EventsPage />;
  if (section === 'keys') return session.can('keys:manage') ? <KeysPage /> : <NotAllowed />;
  return (
    <div className="empty">
      <strong>No such page.</strong> <a href={href(['webhooks'])}>Go to the webhooks</a>
    </div>
  );
}

function NotAllowed() {
  return (
    <div className="notice warn" role="alert">
      Your API key’s role does not allow this page.
    </div>
  );
}
