/**
 * Framework adapters: which framework an app's build used (`detectFramework`, with Amplify Hosting's names), and
 * the deployment-specification bundle of a Next.js build (`bundleNextjs`), which the compute runtime
 * (../compute) serves.
 */
export { detectFramework, NEXTJS_SUPPORTED_MAJORS, type DetectedFramework, type DetectFrameworkOptions, type FrameworkName } from './detect-framework.ts';
export { bundleNextjs, nextjsBuildEnvironment, IMMUTABLE, PUBLIC_FILES, type BundleNextjsOptions, type NextjsBundle } from './nextjs-bundle.ts';
