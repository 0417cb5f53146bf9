import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * DejaVu Sans, from the dejavu-fonts-ttf package: every PDF embeds (a subset of) it, so a
 * report prints the same on a machine with no fonts, and it covers Latin, Greek, Cyrillic,
 * Arabic and Hebrew letters an event may hold. A character it lacks shows as a box.
 */
export const FONTS = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  mono: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf'),
} as const;
