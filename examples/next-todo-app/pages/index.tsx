import { generateClient } from 'aws-amplify/data';
import Head from 'next/head';
import { type FormEvent, useEffect, useState } from 'react';
import type { Schema } from '@/amplify/data/schema';
import { version } from '@/lib/version';

const client = generateClient<Schema>();

type Todo = Schema['Todo']['type'];

export default function Home() {
  const [todos, setTodos] = useState<Todo[]>([]);
  const [content, setContent] = useState('');
  const [error, setError] = useState<string>();

  // In the browser only: observeQuery lists the todos, then keeps the list current over the realtime
  // connection, so todos created or deleted anywhere else show up without a reload.
  useEffect(() => {
    const subscription = client.models.Todo.observeQuery().subscribe({
      next: ({ items }) => setTodos([...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt))),
      error: (e: unknown) => setError(describe(e)),
    });
    return () => subscription.unsubscribe();
  }, []);

  async function createTodo(event: FormEvent) {
    event.preventDefault();
    const text = content.trim();
    if (!text) return;
    const { errors } = await client.models.Todo.create({ content: text });
    if (errors) return setError(describe(errors));
    setContent('');
  }

  async function deleteTodo(id: string) {
    const { errors } = await client.models.Todo.delete({ id });
    if (errors) setError(describe(errors));
  }

  return (
    <>
      <Head>
        <title>My todos</title>
      </Head>
      <main>
        <h1>My todos</h1>
        <p data-testid="version">{version}</p>
        <form onSubmit={createTodo}>
          <label htmlFor="new-todo">New todo</label>
          <input id="new-todo" value={content} onChange={(e) => setContent(e.target.value)} autoComplete="off" />
          <button type="submit">Create</button>
        </form>
        {error && <p role="alert">{error}</p>}
        <ul aria-label="Todos">
          {todos.map((todo) => (
            <li key={todo.id}>
              <span>{todo.content}</span>
              <button type="button" aria-label={`Delete ${todo.content ?? ''}`} onClick={() => deleteTodo(todo.id)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
        <p>
          Served by Next.js; <a href="/api/hello">/api/hello</a> is an API route on the same server.
        </p>
      </main>
    </>
  );
}

function describe(error: unknown): string {
  if (Array.isArray(error)) return error.map(describe).join('; ');
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return JSON.stringify(error);
}
