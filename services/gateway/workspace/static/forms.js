// A form per kind of submission. Each fill of a form has one submission_id, kept through a session that ends,
// a network that fails or an outcome still pending, so sending again never records it twice; a definite outcome
// (accepted, already recorded, or rejected — whose fix needs a new id, else it would be "already recorded")
// starts a new one.
"use strict";

(() => {
  const { $, element } = ws;
  const SECTORS = ["pendidikan", "kesehatan", "pekerjaan_umum", "perumahan", "trantibum", "sosial"];
  const MEDIA_TYPES = {
    pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", csv: "text/csv",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  };
  const FIELDS = {
    "region.enroll": ["region_code", "occurred_on", "commitment_letter_on", "ppid_established", "note"],
    "region.withdraw": ["region_code", "occurred_on", "reason", "note"],
    "training.complete": ["region_code", "occurred_on", "session_id", "participants", "evidence", "note"],
    "plan.submit": ["region_code", "occurred_on", "plan_id", "title", "sectors", "evidence", "note"],
    "plan.withdraw": ["region_code", "occurred_on", "plan_id", "reason", "note"],
  };
  const HINTED = new Set(["region_code", "session_id", "plan_id", "evidence"]);
  // Rejections that are about one field though they name none.
  const CODE_FIELDS = {
    unknown_region: "region_code", not_enrolled: "region_code", already_enrolled: "region_code", not_permitted: "region_code",
    plan_exists: "plan_id", plan_not_found: "plan_id", evidence_missing: "evidence",
  };

  const newSubmissionId = () => {
    const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
    return "ws-" + Array.from(crypto.getRandomValues(new Uint8Array(20)), (byte) => letters[byte % letters.length]).join("");
  };

  function labelled(id, name, control, hinted = HINTED.has(name)) {
    const hint = hinted ? element("p", { class: "hint", id: `${id}-hint`, "data-i18n": `hint.${name}` }) : null;
    if (hint) control.setAttribute("aria-describedby", hint.id);
    return element("div", { class: "field", "data-field": name },
      element("label", { for: id, "data-i18n": `field.${name}` }), hint, control,
      element("p", { class: "field-error", id: `${id}-error`, hidden: true }));
  }

  function field(kind, name, state) {
    const id = `${kind.replace(".", "-")}-${name}`;
    const today = new Date().toISOString().slice(0, 10);
    switch (name) {
      case "region_code": {
        const input = element("input", { id, name, list: "region-list", autocomplete: "off", required: true, maxlength: "120" });
        const found = element("p", { class: "region-found", id: `${id}-found`, "aria-live": "polite" });
        input.addEventListener("input", () => { found.textContent = regionText(input.value); });
        const wrapper = labelled(id, name, input);
        wrapper.insertBefore(found, wrapper.lastChild);
        return wrapper;
      }
      case "occurred_on": case "commitment_letter_on":
        return labelled(id, name, element("input", { id, name, type: "date", min: "2018-01-01", max: today, required: name === "occurred_on" }));
      case "participants":
        return labelled(id, name, element("input", { id, name, type: "number", min: "1", step: "1", inputmode: "numeric", required: true }));
      case "note": case "reason":
        return labelled(id, name, element("textarea", { id, name, rows: "3", maxlength: "1000", required: name === "reason" }));
      case "ppid_established":
        return element("div", { class: "field check", "data-field": name },
          element("input", { id, name, type: "checkbox" }), element("label", { for: id, "data-i18n": `field.${name}` }),
          element("p", { class: "field-error", id: `${id}-error`, hidden: true }));
      case "sectors":
        return element("fieldset", { class: "field sectors", "data-field": name, id },
          element("legend", { "data-i18n": `field.${name}` }),
          ...SECTORS.map((sector) => element("div", { class: "check" },
            element("input", { id: `${id}-${sector}`, name: "sectors", type: "checkbox", value: sector }),
            element("label", { for: `${id}-${sector}`, "data-i18n": `sector.${sector}` }))),
          element("p", { class: "field-error", id: `${id}-error`, hidden: true }));
      case "evidence":
        return evidenceField(id, state);
      default:
        return labelled(id, name, element("input", { id, name, required: true, maxlength: name === "title" ? "500" : "128" }));
    }
  }

  function regionText(value) {
    const region = resolveRegion(value);
    if (!value.trim()) return "";
    return region ? i18n.t("regionFound", { name: `${region.name} (${region.code})`, province: region.province }) : i18n.t("regionUnknown");
  }

  // The code the officer chose: from a list entry "Name (73.71) — Province", or typed as a code, current or 2018.
  function resolveRegion(value) {
    const code = (value.match(/\((\d{2}\.\d{2})\)/) || [])[1] || value.trim();
    return /^\d{2}\.?\d{2}$/.test(code) ? ws.regionByCode(code) : ws.regions.find((r) => r.name.toLowerCase() === value.trim().toLowerCase());
  }

  // ---- evidence: drop or choose several files, each uploaded at once with its own progress bar -------------
  function evidenceField(id, state) {
    const list = element("ul", { class: "files", id: `${id}-files` });
    const chooser = element("input", { id: `${id}-input`, type: "file", multiple: true, accept: ".pdf,.jpg,.jpeg,.png,.xlsx,.docx,.csv", class: "file-input" });
    chooser.addEventListener("change", () => { add(state, list, chooser.files); chooser.value = ""; });
    const drop = element("div", { class: "drop", id: `${id}-drop` },
      element("span", { "data-i18n": "dropHere" }), " ",
      element("label", { for: chooser.id, class: "file-button" }, element("span", { "data-i18n": "chooseFiles" })), chooser);
    drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (event) => { event.preventDefault(); drop.classList.remove("over"); add(state, list, event.dataTransfer.files); });
    return element("fieldset", { class: "field evidence", "data-field": "evidence", "aria-describedby": `${id}-hint` },
      element("legend", { "data-i18n": "field.evidence" }),
      element("p", { class: "hint", id: `${id}-hint`, "data-i18n": "hint.evidence" }),
      drop, list, element("p", { class: "field-error", id: `${id}-error`, hidden: true }));
  }

  function add(state, list, files) {
    for (const file of files) {
      const item = { file, name: file.name.slice(0, 200), public: false, sha256: null, done: null };
      const n = state.fileCount = (state.fileCount || 0) + 1;
      const checkboxId = `${list.id}-public-${n}`;
      item.progress = element("progress", { max: "100", value: "0", "aria-label": file.name });
      item.status = element("span", { class: "file-status", "aria-live": "polite" });
      item.retry = element("button", { type: "button", hidden: true, "data-i18n": "retry", onclick: () => upload(item) });
      const publicBox = element("input", { type: "checkbox", id: checkboxId, onchange: (event) => { item.public = event.target.checked; } });
      item.row = element("li", { class: "file" },
        element("span", { class: "file-name", text: file.name }), item.progress, item.status,
        element("span", { class: "check" }, publicBox, element("label", { for: checkboxId, "data-i18n": "public" })),
        item.retry,
        element("button", { type: "button", class: "link", "data-i18n": "remove", "aria-label": `${i18n.t("remove")} ${file.name}`,
          onclick: () => { state.files = state.files.filter((f) => f !== item); item.row.remove(); } }));
      state.files.push(item);
      list.append(item.row);
      i18n.apply(item.row);
      upload(item);
    }
  }

  function upload(item) {
    const extension = item.file.name.split(".").pop().toLowerCase();
    const mediaType = MEDIA_TYPES[extension] || item.file.type || "application/octet-stream";
    item.retry.hidden = true;
    item.sha256 = null;
    item.status.textContent = i18n.t("uploading", { percent: 0 });
    item.done = ws.upload(item.file, mediaType, (percent) => {
      item.progress.value = percent;
      item.status.textContent = i18n.t("uploading", { percent });
    }).then(({ status, body }) => {
      if (status === 200 || status === 201) {
        item.sha256 = body.sha256;
        item.progress.value = 100;
        item.status.textContent = i18n.t("uploaded");
      } else {
        const { what } = ws.explain(body.code, body.detail);
        item.status.textContent = `${i18n.t("uploadFailed")}: ${what}`;
        item.retry.hidden = false;
      }
    });
  }

  // ---- the form and its outcome ----------------------------------------------------------------------------
  function build(section) {
    const kind = section.dataset.form;
    const slug = kind.replace(".", "-");
    const state = { kind, submissionId: null, files: [], busy: false, shown: null };
    const form = element("form", { class: "stacked", novalidate: true, id: `form-${slug}` },
      ...FIELDS[kind].map((name) => field(kind, name, state)),
      element("button", { type: "submit", "data-i18n": "send" }));
    const outcome = element("div", { class: "outcome", id: `${slug}-outcome`, role: "status", "aria-live": "polite", "aria-atomic": "true" });
    section.append(
      element("h2", { id: section.getAttribute("aria-labelledby"), "data-i18n": `kind.${kind}` }),
      element("p", { class: "note", "data-i18n": `intro.${kind}` }),
      form, outcome);
    form.addEventListener("submit", (event) => { event.preventDefault(); send(state, form, outcome); });
    ws.onLanguage(() => { if (state.shown) show(state, outcome, form, ...state.shown); });
    ws.onSignedInAgain(() => { if (!section.hidden && state.submissionId) show(state, outcome, form, "again"); });
  }

  function body(state, form) {
    const value = (name) => form.elements[name]?.value?.trim();
    const fields = { submission_id: state.submissionId };
    for (const name of FIELDS[state.kind]) {
      if (name === "region_code") { const r = resolveRegion(value(name) || ""); if (value(name)) fields[name] = r ? r.code : value(name); }
      else if (name === "ppid_established") fields[name] = form.elements[name].checked;
      else if (name === "sectors") fields[name] = [...form.querySelectorAll("input[name=sectors]:checked")].map((box) => box.value);
      else if (name === "participants") { if (value(name)) fields[name] = Number(value(name)); }
      else if (name === "evidence") fields[name] = state.files.map((f) => ({ sha256: f.sha256, name: f.name, public: f.public }));
      else if (value(name)) fields[name] = value(name);
    }
    return fields;
  }

  async function send(state, form, outcome) {
    if (state.busy) return;
    state.busy = true;
    clearErrors(form);
    try {
      state.submissionId ||= newSubmissionId();
      if (state.files.some((f) => !f.sha256)) {
        show(state, outcome, form, "progress", "waitUploads");
        await Promise.all(state.files.map((f) => f.done));
        if (state.files.some((f) => !f.sha256)) { show(state, outcome, form, "progress", "uploadsFailed"); return; }
      }
      const region = resolveRegion(form.elements.region_code.value || "") || null;
      show(state, outcome, form, "progress", "sending");
      let answer = await ws.api("POST", `/workspace/api/submissions/${state.kind}`, { json: body(state, form) });
      while (answer.status === 202 || (answer.status === 404 && answer.body.code === "no_outcome")) {
        show(state, outcome, form, "progress", "waiting");
        const location = answer.status === 202 ? answer.location : state.pending;
        state.pending = location;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        answer = await ws.api("GET", location);
      }
      state.pending = null;
      if ([200, 201, 422].includes(answer.status) && answer.body.status) {
        show(state, outcome, form, "outcome", answer.body, region);
        state.submissionId = null;
        if (answer.body.status !== "rejected") reset(state, form);
      } else {
        show(state, outcome, form, "refused", answer.body);
      }
    } finally {
      state.busy = false;
    }
  }

  function reset(state, form) {
    form.reset();
    for (const found of form.querySelectorAll(".region-found")) found.textContent = "";
    for (const item of state.files) item.row.remove();
    state.files = [];
  }

  function clearErrors(form) {
    for (const error of form.querySelectorAll(".field-error")) { error.hidden = true; error.textContent = ""; }
    for (const control of form.querySelectorAll("[aria-invalid]")) {
      control.removeAttribute("aria-invalid");
      const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
      if (described.length) control.setAttribute("aria-describedby", described.join(" ")); else control.removeAttribute("aria-describedby");
    }
  }

  function markField(form, name, text) {
    const wrapper = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!wrapper) return false;
    const error = wrapper.querySelector(".field-error");
    error.textContent = text;
    error.hidden = false;
    const control = wrapper.matches("fieldset") ? wrapper : wrapper.querySelector("input, textarea, select");
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), error.id].filter(Boolean).join(" "));
    return true;
  }

  // What the outcome panel shows: progress, an outcome, a refusal of the gateway's own, or "signed in again".
  function show(state, panel, form, what, detail, region) {
    state.shown = [what, detail, region];
    panel.className = `outcome ${what} ${detail?.status || ""}`;
    if (what === "progress") { panel.replaceChildren(element("p", { class: "progress" }, element("span", { class: "spinner", "aria-hidden": "true" }), i18n.t(detail))); return; }
    if (what === "again") { panel.replaceChildren(element("p", { text: i18n.t("signedInAgain") })); return; }
    if (what === "refused") {
      panel.replaceChildren(element("h3", { text: i18n.t("refusedTitle") }), ...ws.explained(detail.code || "network", detail.detail));
      return;
    }
    const ids = element("p", { class: "note" }, `${i18n.t("submissionId")}: `, element("code", { text: detail.submission_id }));
    if (detail.status === "rejected") {
      clearErrors(form);
      const { what: meaning } = ws.explain(detail.code, detail.message);
      for (const error of detail.errors || []) {
        const name = error.field.split(".")[0];
        markField(form, name, error.type === "missing" ? i18n.t("error.missing") : error.message);
      }
      if (!(detail.errors || []).length && CODE_FIELDS[detail.code]) markField(form, CODE_FIELDS[detail.code], meaning);
      panel.replaceChildren(element("h3", { text: i18n.t("rejectedTitle") }), ...ws.explained(detail.code, detail.message), ids);
      return;
    }
    const title = detail.status === "accepted" ? "acceptedTitle" : "duplicateTitle";
    const note = detail.status === "accepted" ? i18n.t("acceptedNote", { event: detail.event_id }) : i18n.t("duplicateNote");
    panel.replaceChildren(element("h3", { text: i18n.t(title) }), element("p", { text: note }),
      region ? element("p", {}, ws.dashboardLink(region)) : null, ids);
  }

  for (const section of document.querySelectorAll("section[data-form]")) build(section);

  // Other views attach evidence the same way (an amendment, a dispute): state = {files: []}.
  ws.evidenceField = evidenceField;
  ws.newSubmissionId = newSubmissionId;

  document.addEventListener("workspace-ready", () => {
    document.body.append(element("datalist", { id: "region-list" },
      ...ws.regions.map((r) => element("option", { value: `${r.name} (${r.code}) — ${r.province}`, label: r.code_2018 ? `2018: ${r.code_2018}` : null }))));
  });
})();
