/**
 * admin.js: the admin app (the advanced settings page), a second AMD module in the archive that script.js
 * loads with Kommo's RequireJS only when an admin opens that page. The lead card, the Digital Pipeline
 * editor and the settings modal never pay for its builders and screens (script.js keeps its size budget).
 */
export { renderAdmin } from './areas/admin.js';
export { renderStageEditor, unmountStageEditor } from './areas/stage-editor.js';
export { unmountAll } from './mount.js';
