// Starting the workspace: the words in the chosen language, what the pages read (settings, explanations,
// regions), whether someone is signed in; then the view the address names.
"use strict";

(async () => {
  i18n.apply();
  ws.$("#language").addEventListener("click", ws.language);
  const [settings, explanations, regions, session] = await Promise.all([
    ws.api("GET", "/workspace/api/settings"),
    ws.api("GET", "/workspace/api/explanations"),
    ws.api("GET", "/workspace/api/regions"),
    ws.api("GET", "/workspace/api/session"),
  ]);
  if (settings.status === 200) ws.settings = settings.body;
  if (explanations.status === 200) ws.explanations = explanations.body.explanations;
  if (regions.status === 200) ws.regions = regions.body.regions;
  ws.$("#dashboard-link").href = ws.settings.dashboard_url;
  if (session.status === 200) ws.signedIn(session.body);
  document.dispatchEvent(new Event("workspace-ready"));
  window.addEventListener("hashchange", ws.route);
  ws.route();
  document.body.dataset.ready = "true";
})();
