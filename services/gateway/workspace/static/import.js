"use strict";
// "Unggah lembar kerja" (#impor): spreadsheet import fills the section #view-import, using ws.api, ws.explain and
// ws.onView("impor", …) from workspace.js, and adds its words with ws.words({id: {…}, en: {…}}).
