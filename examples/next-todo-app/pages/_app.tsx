import '@/styles/app.css';
import { Amplify } from 'aws-amplify';
import type { AppProps } from 'next/app';
import outputs from '@/amplify_outputs.json';

// The outputs of the backend deployed for this app and branch, written by `ampx generate outputs` in the
// hosting build (or `ampx sandbox` locally) and bundled into the page.
Amplify.configure(outputs);

export default function App({ Component, pageProps }: AppProps) {
  return <Component {...pageProps} />;
}
