// "Unggah lembar kerja" (#impor): the template, an upload previewed row by row before anything is sent, the ready
// rows sent batch after batch with a progress bar and each row's outcome, and the result sheet.
//
// The gateway keeps nothing of an upload: every call sends the file again. Rows are sent by naming their
// submission ids, in sending order, so a row that an earlier batch sent is answered "recorded" and never sent twice.
"use strict";

(() => {
  const { $, element } = ws;
  const PROBLEMS = ["invalid", "rejected", "sent_before", "duplicate_row"];
  const SHOWN_STATUSES = ["ready", "recorded", ...PROBLEMS];
  const FINAL = new Set(["accepted", "rejected", "duplicate", "recorded", "sent_before", "invalid", "duplicate_row", "not_stored"]);
  const POLLS = 30;  // seconds a pending outcome is asked for, once a second

  ws.words({
    id: {
      importIntro: "Catat banyak pengajuan sekaligus: isi templat, unggah, periksa pratinjau setiap baris, lalu kirim baris yang siap. Tidak ada yang dikirim sebelum Anda menekan Kirim.",
      importStepTemplate: "1. Unduh templat",
      importTemplateNote: "Satu lembar per jenis pengajuan, dengan satu baris contoh yang boleh ditimpa. Judul kolom jangan diubah.",
      templateXlsx: "Templat Excel (.xlsx)",
      templateCsv: "Templat CSV",
      importStepUpload: "2. Unggah berkas yang sudah diisi",
      importDropHere: "Seret berkas .xlsx atau .csv ke sini, atau",
      chooseSpreadsheet: "Pilih berkas",
      importLimits: "Paling banyak 5.000 baris dan 10 MiB.",
      checking: "Memeriksa {name}…",
      previewOf: "Pratinjau {name}: {total} baris",
      importRows: "Baris di berkas",
      rowAt: "{sheet}, baris {row}",
      sheetRow: "Lembar dan baris",
      rowStatus: "Keadaan",
      rowCells: "Isi baris",
      rowOutcome: "Hasil pengiriman",
      "import.ready": "Siap dikirim",
      "import.recorded": "Sudah tercatat",
      "import.invalid": "Tidak valid",
      "import.rejected": "Akan ditolak",
      "import.sent_before": "Pernah dikirim, ditolak",
      "import.duplicate_row": "Baris ganda",
      "import.accepted": "Diterima",
      "import.duplicate": "Sudah tercatat",
      "import.pending": "Menunggu hasil",
      "import.queued": "Belum dikirim",
      "import.not_stored": "Tidak tersimpan",
      sendReady: "Kirim {count} baris yang siap",
      nothingToSend: "Tidak ada baris yang perlu dikirim.",
      sending: "Mengirim: {done} dari {total} baris",
      sendingProgress: "Kemajuan pengiriman",
      sentAll: "Selesai: {accepted} diterima, {rejected} ditolak, dari {total} baris yang dikirim.",
      sendStopped: "Pengiriman berhenti. Baris yang sudah terkirim tidak akan dikirim dua kali: tekan Lanjutkan.",
      resume: "Lanjutkan",
      downloadResult: "Unduh hasil",
      resultNote: "Lembar hasil memuat setiap baris dengan hasilnya, ID pengajuan dan penjelasannya.",
      fileProblem: "Berkas tidak dapat dibaca",
      sentBeforeAs: "Sebelumnya: {code}",
    },
    en: {
      importIntro: "Record many submissions at once: fill in the template, upload it, check each row's preview, then send the rows that are ready. Nothing is sent before you press Send.",
      importStepTemplate: "1. Download the template",
      importTemplateNote: "One sheet per kind of submission, with an example row you may overwrite. Keep the column headers as they are.",
      templateXlsx: "Excel template (.xlsx)",
      templateCsv: "CSV template",
      importStepUpload: "2. Upload the filled-in file",
      importDropHere: "Drag an .xlsx or .csv file here, or",
      chooseSpreadsheet: "Choose a file",
      importLimits: "At most 5,000 rows and 10 MiB.",
      checking: "Checking {name}…",
      previewOf: "Preview of {name}: {total} rows",
      importRows: "Rows in the file",
      rowAt: "{sheet}, row {row}",
      sheetRow: "Sheet and row",
      rowStatus: "Status",
      rowCells: "The row",
      rowOutcome: "Outcome of sending",
      "import.ready": "Ready to send",
      "import.recorded": "Already recorded",
      "import.invalid": "Not valid",
      "import.rejected": "Would be rejected",
      "import.sent_before": "Sent before, rejected",
      "import.duplicate_row": "Repeated row",
      "import.accepted": "Accepted",
      "import.duplicate": "Already recorded",
      "import.pending": "Waiting for the outcome",
      "import.queued": "Not sent yet",
      "import.not_stored": "Not stored",
      sendReady: "Send the {count} ready rows",
      nothingToSend: "There are no rows to send.",
      sending: "Sending: {done} of {total} rows",
      sendingProgress: "Sending progress",
      sentAll: "Done: {accepted} accepted, {rejected} rejected, of {total} rows sent.",
      sendStopped: "Sending stopped. Rows already sent are never sent twice: press Continue.",
      resume: "Continue",
      downloadResult: "Download the result",
      resultNote: "The result sheet holds every row with its outcome, submission ID and explanation.",
      fileProblem: "The file cannot be read",
      sentBeforeAs: "Before: {code}",
    },
  });

  // What is on screen: the file, its preview, and each row's outcome so far (by submission id).
  const state = { file: null, preview: null, refused: null, outcomes: {}, sending: false, stopped: false };

  const query = (ids = []) => {
    const params = new URLSearchParams({ name: state.file.name });
    for (const id of ids) params.append("id", id);
    return params;
  };

  async function choose(file) {
    if (!file || state.sending) return;
    Object.assign(state, { file, preview: null, refused: null, outcomes: {}, stopped: false });
    $("#import-preview").replaceChildren();
    status("progress", i18n.t("checking", { name: file.name }));
    const answer = await ws.api("POST", `/workspace/api/import/preview?${query()}`, { body: file });
    if (answer.status === 200) state.preview = answer.body;
    else state.refused = answer.body;
    render();
  }

  function status(what, text) {
    const line = $("#import-status");
    line.className = `import-status ${what}`;
    line.replaceChildren(what === "progress" ? element("span", { class: "spinner", "aria-hidden": "true" }) : "", text || "");
  }

  // ---- the preview ----------------------------------------------------------------------------------------
  function render() {
    if (state.refused) { renderRefusal(state.refused); return; }
    const preview = state.preview;
    if (!preview) return;
    status("done", i18n.t("previewOf", { name: state.file.name, total: i18n.number(preview.total) }));
    const counts = element("ul", { class: "import-counts" },
      ...SHOWN_STATUSES.filter((s) => preview.counts[s]).map((s) => element("li", { class: `badge-line ${s}` },
        element("strong", { text: i18n.number(preview.counts[s]) }), ` ${i18n.t(`import.${s}`)}`)));
    $("#import-preview").replaceChildren(counts, sendPanel(), table(preview));
  }

  function renderRefusal(body) {
    status("done", "");
    const errors = body.errors || [];
    $("#import-preview").replaceChildren(element("div", { class: "outcome refused", role: "alert" },
      element("h3", { text: i18n.t("fileProblem") }),
      ...(errors.length ? errors.flatMap((e) => ws.explained(e.message_id, [e.sheet, e.message].filter(Boolean).join(": "))) : ws.explained(body.code || "network", body.detail))));
  }

  function table(preview) {
    const caption = element("caption", { id: "import-caption", text: i18n.t("importRows") });
    const head = element("thead", {}, element("tr", {},
      ...["sheetRow", "rowStatus", "rowCells", "rowOutcome"].map((key) => element("th", { scope: "col", text: i18n.t(key) }))));
    const body = element("tbody", {}, ...preview.rows.map((row) => rowLine(row, preview.columns)));
    return element("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "import-caption" },
      element("table", { class: "import-rows", id: "import-rows" }, caption, head, body));
  }

  function rowLine(row, columns) {
    const label = (column) => (columns[column] || {})[i18n.lang] || column;
    const errors = Object.fromEntries(row.errors.map((e) => [e.column, e]));
    const cells = element("dl", { class: "cells" },
      ...Object.entries(row.cells).filter(([column, value]) => value !== "" || errors[column]).flatMap(([column, value]) => [
        element("dt", { text: label(column), class: errors[column] ? "cell-error" : null }),
        element("dd", { class: errors[column] ? "cell-error" : null, "data-column": column },
          value === "" ? "–" : value,
          errors[column] ? element("span", { class: "cell-message", text: ` — ${ws.explain(errors[column].message_id, errors[column].message).what}` }) : null),
      ]),
      // An error on a column the row leaves empty (a required one) shows too.
      ...row.errors.filter((e) => !(e.column in row.cells)).flatMap((e) => [
        element("dt", { class: "cell-error", text: label(e.column) }),
        element("dd", { class: "cell-error", "data-column": e.column }, "–", element("span", { class: "cell-message", text: ` — ${ws.explain(e.message_id, e.message).what}` })),
      ]));
    const explained = row.status === "invalid" ? [] : [element("p", { class: "what", text: ws.explain(row.message_id, row.message).what })];
    if (row.status === "sent_before" && row.code) explained.push(element("p", { class: "note", text: `${i18n.t("sentBeforeAs", { code: row.code })} — ${ws.explain(row.code).what}` }));
    else if (row.status === "rejected" && row.code) explained.push(element("p", { class: "note" }, element("code", { text: row.code })));
    return element("tr", { class: `import-row ${row.status}`, "data-submission-id": row.submission_id || "", "data-status": row.status },
      element("th", { scope: "row", text: i18n.t("rowAt", { sheet: row.sheet, row: row.row_number }) }),
      element("td", {}, element("strong", { class: `badge ${row.status}`, text: i18n.t(`import.${row.status}`) }), ...explained),
      element("td", {}, cells),
      element("td", { class: "row-outcome" }, outcomeOf(row)));
  }

  function outcomeOf(row) {
    const outcome = row.status === "ready" && row.submission_id ? state.outcomes[row.submission_id] : null;
    if (!outcome) return "";
    const words = [element("strong", { class: `badge ${outcome.status}`, text: i18n.t(`import.${outcome.status}`) })];
    if (outcome.status === "rejected") words.push(element("p", { class: "what", text: ws.explain(outcome.code, outcome.message).what }));
    return element("div", {}, ...words);
  }

  // ---- sending --------------------------------------------------------------------------------------------
  function readyRows() {
    return state.preview.rows.filter((row) => row.status === "ready").sort((a, b) => a.order - b.order);
  }

  function sendPanel() {
    const ready = readyRows();
    const done = ready.filter((row) => FINAL.has(state.outcomes[row.submission_id]?.status)).length;
    const panel = element("div", { class: "send-panel", id: "import-send" });
    if (!ready.length) { panel.append(element("p", { class: "what", text: i18n.t("nothingToSend") }), resultButton()); return panel; }
    if (done === 0 && !state.sending && !state.stopped) {
      panel.append(element("button", { type: "button", id: "import-send-button", class: "primary", text: i18n.t("sendReady", { count: i18n.number(ready.length) }), onclick: send }));
      return panel;
    }
    panel.append(
      element("p", { id: "import-progress-label", text: i18n.t("sending", { done: i18n.number(done), total: i18n.number(ready.length) }) }),
      element("progress", { id: "import-progress", max: String(ready.length), value: String(done), "aria-labelledby": "import-progress-label" }));
    if (done === ready.length) {
      const recorded = ready.filter((row) => ["accepted", "duplicate", "recorded"].includes(state.outcomes[row.submission_id].status)).length;
      const numbers = { accepted: i18n.number(recorded), rejected: i18n.number(ready.length - recorded), total: i18n.number(ready.length) };
      panel.append(element("p", { class: "what", id: "import-done", text: i18n.t("sentAll", numbers) }), resultButton());
    } else if (state.stopped && !state.sending) {
      panel.append(element("p", { class: "what", text: i18n.t("sendStopped") }), element("button", { type: "button", text: i18n.t("resume"), onclick: send }));
    }
    return panel;
  }

  function resultButton() {
    return element("p", {}, element("button", { type: "button", id: "import-result", text: i18n.t("downloadResult"), onclick: downloadResult }),
      " ", element("span", { class: "note", text: i18n.t("resultNote") }));
  }

  function refreshSending() {
    $("#import-send")?.replaceWith(sendPanel());
    for (const line of document.querySelectorAll("#import-rows tr[data-status=ready]")) {
      const cell = line.querySelector(".row-outcome");
      const row = state.preview.rows.find((r) => r.submission_id === line.dataset.submissionId);
      if (row && state.outcomes[row.submission_id]) cell.replaceChildren(outcomeOf(row));
    }
  }

  async function send() {
    if (state.sending) return;
    state.sending = true;
    state.stopped = false;
    refreshSending();
    try {
      const batch = state.preview.max_batch;
      let waiting = readyRows().map((row) => row.submission_id).filter((id) => !FINAL.has(state.outcomes[id]?.status));
      while (waiting.length) {
        const answer = await ws.api("POST", `/workspace/api/import/submit?${query(waiting.slice(0, batch))}`, { body: state.file });
        if (answer.status !== 200) { state.stopped = true; status("done", ws.explain(answer.body.code, answer.body.detail).what); return; }
        for (const row of answer.body.rows) state.outcomes[row.submission_id] = row;
        for (const row of answer.body.rows.filter((r) => r.status === "pending")) state.outcomes[row.submission_id] = await pending(row);
        refreshSending();
        status("progress", i18n.t("sending", { done: i18n.number(countDone()), total: i18n.number(readyRows().length) }));
        const before = waiting.length;
        waiting = waiting.filter((id) => !FINAL.has(state.outcomes[id]?.status));
        if (waiting.length === before) { state.stopped = true; return; }  // nothing came back final: let the officer continue later
      }
      status("done", i18n.t("sending", { done: i18n.number(countDone()), total: i18n.number(readyRows().length) }));
    } finally {
      state.sending = false;
      refreshSending();
    }
  }

  const countDone = () => readyRows().filter((row) => FINAL.has(state.outcomes[row.submission_id]?.status)).length;

  // A row stored whose outcome did not come within the gateway's wait: asked for again, once a second.
  async function pending(row) {
    for (let poll = 0; poll < POLLS; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const answer = await ws.api("GET", `/workspace/api/outcomes/${encodeURIComponent(row.submission_id)}`);
      if (answer.status === 200) return { ...row, ...answer.body, sent: true };
    }
    return row;
  }

  async function downloadResult() {
    const button = $("#import-result");
    button.disabled = true;
    try {
      const response = await fetch(`/workspace/api/import/result?${query()}`, {
        method: "POST", body: state.file, credentials: "same-origin", headers: { "X-CSRF-Token": ws.session?.csrf || "" },
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        ws.refused(response.status, body);
        status("done", ws.explain(body.code, body.detail).what);
        return;
      }
      const name = (/filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "") || [])[1] || "hasil.xlsx";
      const link = element("a", { href: URL.createObjectURL(await response.blob()), download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    } finally {
      button.disabled = false;
    }
  }

  // ---- the file: chosen, or dropped ------------------------------------------------------------------------
  const input = $("#import-file");
  input.addEventListener("change", () => { choose(input.files[0]); input.value = ""; });
  const drop = $("#import-drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => { event.preventDefault(); drop.classList.remove("over"); choose(event.dataTransfer.files[0]); });

  ws.onLanguage(() => { if (state.preview || state.refused) render(); });
})();
