/** htm bound to Preact: `html\`<p>${x}</p>\`` instead of JSX, so no JSX toolchain. */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
