// Signing in, choosing a password from the operator's link (#aktivasi?email=…&kode=…), signing out (here or on
// every device), and signing in again in the dialog when a session ends mid-form.
"use strict";

(() => {
  const { $ } = ws;

  function refusalText(answer) {
    const { what, todo } = ws.explain(answer.code, answer.detail);
    return answer.code === "locked" ? `${what} ${answer.detail || ""} ${todo}` : `${what} ${todo}`;
  }

  async function signIn(email, password, message) {
    message.textContent = "";
    const answer = await ws.api("POST", "/workspace/api/session", { json: { email, password } });
    if (answer.status !== 200) { message.textContent = refusalText(answer.body); return false; }
    ws.signedIn(answer.body);
    return true;
  }

  $("#signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await signIn($("#signin-email").value, $("#signin-password").value, $("#signin-message"))) {
      $("#signin-password").value = "";
      ws.go(ws.home());
    }
  });

  ws.onView("aktivasi", (params) => {
    if (params.get("email")) $("#activation-email").value = params.get("email");
    if (params.get("kode")) $("#activation-code").value = params.get("kode");
  });

  $("#activation-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = $("#activation-message");
    const password = $("#activation-password").value;
    if (password !== $("#activation-again").value) { message.textContent = i18n.t("passwordsDiffer"); $("#activation-again").focus(); return; }
    const json = { email: $("#activation-email").value, code: $("#activation-code").value.trim(), password };
    const answer = await ws.api("POST", "/workspace/api/activation", { json });
    if (answer.status !== 200) { message.textContent = refusalText(answer.body); return; }
    ws.signedIn(answer.body);
    for (const field of ["#activation-password", "#activation-again", "#activation-code"]) $(field).value = "";
    ws.go(ws.home());
  });

  async function signOut(path, method, words) {
    await ws.api(method, path);
    ws.signedOut();
    ws.go("masuk");
    $("#page-status").textContent = i18n.t(words);
  }

  $("#sign-out").addEventListener("click", () => signOut("/workspace/api/session", "DELETE", "signedOut"));
  $("#sign-out-everywhere").addEventListener("click", () => signOut("/workspace/api/session/everywhere", "POST", "signedOutEverywhere"));

  $("#reauth-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!(await signIn($("#reauth-email").value, $("#reauth-password").value, $("#reauth-message")))) return;
    $("#reauth-password").value = "";
    $("#reauth").close();
    for (const callback of ws._signedIn) callback();
  });
})();
