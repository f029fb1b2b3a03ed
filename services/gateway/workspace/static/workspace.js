// What every view of the workspace shares: calls to its API (with the session's CSRF token), the session and the
// dialog that asks to sign in again when it ends, the views behind the hash routes, and the plain words that
// explain each code. A view is a <section data-view="name"> in index.html plus a script that calls ws.onView.
"use strict";

const ws = {
  session: null,        // {person, csrf, expires_at} while signed in
  settings: { dashboard_url: "/", trace_url: null },
  explanations: {},     // code → {id: {what, todo}, en: {what, todo}}
  regions: [],          // [{code, name, province, code_2018?}]
  shown: null,          // the view on screen
  _views: {},           // name → callbacks run each time it is shown
  _language: [],        // callbacks run when the language changes
  _signedIn: [],        // callbacks run after signing in again in the dialog
  _roleKnown: [],       // callbacks run with the role once someone is signed in

  $: (selector, root = document) => root.querySelector(selector),

  element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  },

  words(more) {
    for (const [language, words] of Object.entries(more)) Object.assign(WORDS[language] ||= {}, words);
  },

  onView(name, callback) { (ws._views[name] ||= []).push(callback); },
  onLanguage(callback) { ws._language.push(callback); },
  onSignedInAgain(callback) { ws._signedIn.push(callback); },

  // A call to the workspace's API: {status, body, location}. Status 0 is no answer at all (code "network").
  // A 401 signed_out opens the sign-in dialog over the page; what the caller's form holds stays as it is.
  async api(method, path, { json, body, headers = {} } = {}) {
    const sent = { method, headers: { ...headers }, credentials: "same-origin" };
    if (ws.session) sent.headers["X-CSRF-Token"] = ws.session.csrf;
    if (json !== undefined) { sent.headers["Content-Type"] = "application/json"; sent.body = JSON.stringify(json); }
    else if (body !== undefined) sent.body = body;
    let response;
    try { response = await fetch(path, sent); }
    catch { return { status: 0, body: { code: "network", detail: "no answer" }, location: null }; }
    const answer = await response.json().catch(() => ({}));
    ws.refused(response.status, answer);
    return { status: response.status, body: answer, location: response.headers.get("Location") };
  },

  // An evidence file to PUT /workspace/api/evidence, reporting progress (0–100): {status, body}.
  upload(file, mediaType, onProgress) {
    return new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open("PUT", "/workspace/api/evidence");
      request.setRequestHeader("Content-Type", mediaType);
      if (ws.session) request.setRequestHeader("X-CSRF-Token", ws.session.csrf);
      request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(Math.round(100 * event.loaded / event.total)); };
      request.onload = () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch { /* a body that is not JSON: the status says enough */ }
        ws.refused(request.status, answer);
        resolve({ status: request.status, body: answer });
      };
      request.onerror = () => resolve({ status: 0, body: { code: "network" } });
      request.send(file);
    });
  },

  refused(status, answer) {
    if (status === 401 && answer.code === "signed_out" && ws.session) ws.sessionEnded();
  },

  sessionEnded() {
    const dialog = ws.$("#reauth");
    if (dialog.open) return;
    ws.$("#reauth-email").value = ws.session?.person.email || "";
    ws.$("#reauth-password").value = "";
    ws.$("#reauth-message").textContent = "";
    dialog.showModal();
    ws.$(ws.$("#reauth-email").value ? "#reauth-password" : "#reauth-email").focus();
  },

  signedIn(session) {
    ws.session = session;
    const { person } = session;
    ws.$("#who").textContent = i18n.t("who", { email: person.email, organisation: person.organisation_name });
    for (const id of ["#who", "#views-nav", "#sign-out", "#sign-out-everywhere"]) ws.$(id).hidden = false;
    // The menu holds what the person's role does: a ministry's forms, the secretariat's queue, an observer's claims.
    for (const item of document.querySelectorAll("#views-nav [data-roles]")) item.hidden = !item.dataset.roles.split(" ").includes(person.role);
    for (const callback of ws._roleKnown) callback(person.role);
  },

  // The view a person lands on after signing in, by role.
  home() {
    const role = ws.session?.person.role;
    return { secretariat: "antrean", observer: "klaim-daftar", related: "klaim-daftar" }[role] || "daftar";
  },

  onRoleKnown(callback) { ws._roleKnown.push(callback); },

  signedOut() {
    ws.session = null;
    for (const id of ["#who", "#views-nav", "#sign-out", "#sign-out-everywhere"]) ws.$(id).hidden = true;
  },

  // The plain words for a code, in the current language: {what, todo}; a code not in the table keeps the server's detail.
  explain(code, detail = "") {
    const words = ws.explanations[code];
    return words ? words[i18n.lang] || words.id : { what: detail || code, todo: "" };
  },

  // An explanation as elements: what happened, what to do, and the code with the server's own words.
  explained(code, detail) {
    const { what, todo } = ws.explain(code, detail);
    return [
      ws.element("p", { class: "what", text: what }),
      todo ? ws.element("p", { class: "todo" }, ws.element("strong", { text: `${i18n.t("whatToDo")}: ` }), todo) : null,
      ws.element("p", { class: "code note" }, ws.element("code", { text: code }), detail ? ` · ${detail}` : ""),
    ];
  },

  dashboardLink(region) {
    const url = new URL(ws.settings.dashboard_url, location.href);
    url.searchParams.set("region", region.code);
    return ws.element("a", { href: url.href, text: i18n.t("seeOnDashboard", { region: region.name || region.code }) });
  },

  regionByCode(code) {
    const plain = code.replace(".", "");
    return ws.regions.find((r) => r.code.replace(".", "") === plain) || ws.regions.find((r) => (r.code_2018 || "").replace(".", "") === plain);
  },

  // ---- views, one per hash route: #name or #name?key=value ----------------------------------------------
  route() {
    const [name, query] = location.hash.slice(1).split("?");
    let section = ws.$(`[data-view="${CSS.escape(name)}"]`);
    if (!section) section = ws.$(`[data-view="${ws.session ? ws.home() : "masuk"}"]`);
    else if (!ws.session && !section.hasAttribute("data-public")) section = ws.$('[data-view="masuk"]');
    for (const view of document.querySelectorAll("[data-view]")) view.hidden = view !== section;
    for (const link of document.querySelectorAll("#views-nav a")) {
      if (link.hash === `#${section.dataset.view}`) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const moved = ws.shown !== null && ws.shown !== section;
    ws.shown = section;
    document.title = `${section.querySelector("h2")?.textContent || i18n.t("workspace")} · OGI Tracker`;
    for (const callback of ws._views[section.dataset.view] || []) callback(new URLSearchParams(query || ""), section);
    if (moved) { const heading = section.querySelector("h2"); heading.tabIndex = -1; heading.focus(); }
  },

  go(name) {
    if (location.hash === `#${name}`) ws.route();
    else location.hash = name;
  },

  language() {
    i18n.toggle();
    if (ws.session) ws.signedIn(ws.session);
    for (const callback of ws._language) callback();
    document.title = `${ws.shown?.querySelector("h2")?.textContent || i18n.t("workspace")} · OGI Tracker`;
  },
};
