import type { Browser, Page } from 'playwright-core';
import { newTrustingContext } from './browser.ts';

// The sample apps' page (examples/next-todo-app, examples/todo-app: the same markup) as tests drive it: its
// accessible names are its test contract.

/** observeQuery holds one subscription per event: create, update and delete. */
const OBSERVE_QUERY_SUBSCRIPTIONS = 3;

/** Resolves once the page's realtime connection has acknowledged `count` subscriptions. */
function subscriptionsAcknowledged(page: Page, count: number): Promise<void> {
  return new Promise((done) => {
    let acknowledged = 0;
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' && JSON.parse(payload).type === 'start_ack' && ++acknowledged === count) done();
      });
    });
  });
}

/**
 * Opens the app at `url` in a new browser context (a separate user) and waits until its live list is subscribed,
 * so a change made elsewhere afterwards must reach it.
 */
export async function openTodoPage(browser: Browser, url: string): Promise<Page> {
  const context = await newTrustingContext(browser);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  const subscribed = subscriptionsAcknowledged(page, OBSERVE_QUERY_SUBSCRIPTIONS);
  await page.goto(url);
  await page.getByRole('heading', { name: 'My todos' }).waitFor();
  await Promise.race([
    subscribed,
    new Promise((_, fail) => setTimeout(() => fail(new Error(`the page's observeQuery subscriptions at ${url} were not acknowledged within 20 s; page errors: ${problems.join('; ') || 'none'}`)), 20_000)),
  ]);
  return page;
}

export const todoItem = (page: Page, content: string) => page.getByRole('list', { name: 'Todos' }).getByRole('listitem').filter({ hasText: content });

export async function createTodo(page: Page, content: string): Promise<void> {
  await page.getByLabel('New todo').fill(content);
  await page.getByRole('button', { name: 'Create' }).click();
}
