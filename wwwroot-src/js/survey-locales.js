// SurveyJS's own words (buttons, validation messages, placeholders) in the two portal languages survey-core does
// not ship: Albanian (sq), translated here key by key, and Cyrillic Serbian (sr-Cyrl), made from survey-core's
// Latin Serbian by the same transliteration as the portal's resources (Consultation.Core SerbianScript; a browser
// test checks that both give the same text and that every English key has a translation).
// A classic script: load it after survey.core and survey.i18n, before the page's module.
(function () {
  "use strict";
  const locales = window.Survey && window.Survey.surveyLocalization;
  if (!locales) return;

  const sq = {
    pagePrevText: "Mbrapa",
    pageNextText: "Para",
    completeText: "Përfundo",
    previewText: "Parashiko",
    editText: "Ndrysho",
    startSurveyText: "Fillo",
    commentText: "Ju lutemi lini një koment",
    otherItemText: "Tjetër (përshkruani)",
    noneItemText: "Asnjë",
    refuseItemText: "Refuzoj të përgjigjem",
    dontKnowItemText: "Nuk e di",
    selectAllItemText: "Zgjidhi të gjitha",
    deselectAllItemText: "Hiqi të gjitha",
    progressText: "Faqja {0} nga {1}",
    indexText: "{0} nga {1}",
    panelDynamicProgressText: "{0} nga {1}",
    panelDynamicTabTextFormat: "Paneli {panelIndex}",
    questionsProgressText: "Janë përgjigjur {0}/{1} pyetje",
    emptySurvey: "Pyetësori nuk ka asnjë element të dukshëm.",
    completingSurvey: "Faleminderit që e plotësuat pyetësorin",
    completingSurveyBefore: "E keni plotësuar tashmë këtë pyetësor.",
    loadingSurvey: "Pyetësori po ngarkohet...",
    placeholder: "Zgjidhni...",
    ratingOptionsCaption: "Zgjidhni...",
    buttongroupOptionsCaption: "Zgjidhni...",
    value: "vlera",
    requiredError: "Kërkohet përgjigje.",
    requiredErrorInPanel: "Kërkohet përgjigje: përgjigjuni të paktën një pyetjeje.",
    requiredInAllRowsError: "Kërkohet përgjigje: përgjigjuni pyetjeve në të gjitha rreshtat.",
    eachRowUniqueError: "Çdo rresht duhet të ketë një vlerë të veçantë.",
    numericError: "Vlera duhet të jetë numerike.",
    minError: "Vlera nuk duhet të jetë më e vogël se {0}",
    stepError: "Ju lutemi vendosni një vlerë që i përshtatet hapit {0}.",
    maxError: "Vlera nuk duhet të jetë më e madhe se {0}",
    invalidInputError: "Vlerë e pavlefshme",
    textNoDigitsAllow: "Numrat nuk lejohen.",
    incompletePatternError: "Ju lutemi plotësoni vlerën sipas formatit të kërkuar.",
    textMinLength: "Ju lutemi shkruani të paktën {0} shenja.",
    textMaxLength: "Ju lutemi shkruani jo më shumë se {0} shenja.",
    textMinMaxLength: "Ju lutemi shkruani të paktën {0} dhe jo më shumë se {1} shenja.",
    minRowCountError: "Ju lutemi plotësoni të paktën {0} rreshta.",
    minSelectError: "Ju lutemi zgjidhni të paktën {0} mundësi.",
    maxSelectError: "Ju lutemi zgjidhni jo më shumë se {0} mundësi.",
    numericMinMax: "'{0}' duhet të jetë të paktën {1} dhe më së shumti {2}",
    numericMin: "'{0}' duhet të jetë të paktën {1}",
    numericMax: "'{0}' duhet të jetë më së shumti {1}",
    invalidEmail: "Ju lutemi shkruani një adresë e-mail të vlefshme.",
    invalidExpression: "Shprehja {0} duhet të japë 'true'.",
    urlRequestError: "Kërkesa ktheu gabimin '{0}'. {1}",
    urlGetChoicesError: "Kërkesa ktheu të dhëna bosh ose vetia 'path' është e pasaktë",
    exceedMaxSize: "Madhësia e skedarit nuk duhet të kalojë {0}.",
    fileSizeUnits: "Bajt, KB, MB, GB, TB",
    exceedMaxFiles: "Mund të ngarkoni më së shumti {0} skedarë.",
    noUploadFilesHandler: "Skedarët nuk mund të ngarkohen. Shtoni një trajtues për ngjarjen 'onUploadFiles'.",
    otherRequiredError: "Kërkohet përgjigje: shkruani një vlerë tjetër.",
    uploadingFile: "Skedari juaj po ngarkohet. Ju lutemi prisni disa sekonda dhe provoni përsëri.",
    loadingFile: "Po ngarkohet...",
    chooseFile: "Zgjidhni skedarë...",
    noFileChosen: "Nuk është zgjedhur asnjë skedar",
    filePlaceholder: "Tërhiqni dhe lëshoni një skedar këtu ose klikoni butonin më poshtë për të zgjedhur skedarin që do të ngarkoni.",
    confirmDelete: "Jeni të sigurt që doni ta fshini këtë regjistrim?",
    keyDuplicationError: "Kjo vlerë duhet të jetë e veçantë.",
    addColumn: "Shto kolonë",
    addRow: "Shto rresht",
    removeRow: "Hiq",
    noRowsText: "Nuk ka rreshta.",
    rowIndexTemplateTitle: "Rreshti {rowIndex}",
    rowNameTemplateTitle: "{rowTitle}",
    addPanel: "Shto të ri",
    removePanel: "Hiq",
    showDetails: "Shfaq hollësitë",
    hideDetails: "Fshih hollësitë",
    choices_Item: "element",
    choices_Choice: "Mundësi zgjedhjeje",
    matrix_column: "Kolona",
    matrix_row: "Rreshti",
    multipletext_itemname: "tekst",
    savingData: "Rezultatet po ruhen në server...",
    savingDataError: "Ndodhi një gabim dhe rezultatet nuk u ruajtën.",
    savingDataSuccess: "Rezultatet u ruajtën me sukses!",
    saveAgainButton: "Provo përsëri",
    timerMin: "min",
    timerSec: "sek",
    timerSpentAll: "Keni kaluar {0} në këtë faqe dhe {1} gjithsej.",
    timerSpentPage: "Keni kaluar {0} në këtë faqe.",
    timerSpentSurvey: "Keni kaluar {0} gjithsej.",
    timerLimitAll: "Keni kaluar {0} nga {1} në këtë faqe dhe {2} nga {3} gjithsej.",
    timerLimitPage: "Keni kaluar {0} nga {1} në këtë faqe.",
    timerLimitSurvey: "Keni kaluar {0} nga {1} gjithsej.",
    clearCaption: "Pastro",
    selectCaption: "Zgjidh",
    signaturePlaceHolder: "Nënshkruani këtu",
    signaturePlaceHolderReadOnly: "Pa nënshkrim",
    chooseFileCaption: "Zgjidh skedarin",
    takePhotoCaption: "Bëj foto",
    photoPlaceholder: "Klikoni butonin më poshtë për të bërë një foto me kamerë.",
    fileOrPhotoPlaceholder: "Tërhiqni dhe lëshoni ose zgjidhni një skedar për ta ngarkuar, ose bëni një foto me kamerë.",
    replaceFileCaption: "Zëvendëso skedarin",
    removeFileCaption: "Hiqe këtë skedar",
    booleanCheckedLabel: "Po",
    booleanUncheckedLabel: "Jo",
    confirmRemoveFile: "Jeni të sigurt që doni ta hiqni këtë skedar: {0}?",
    confirmRemoveAllFiles: "Jeni të sigurt që doni t'i hiqni të gjithë skedarët?",
    questionTitlePatternText: "Titulli i pyetjes",
    modalCancelButtonText: "Anulo",
    modalApplyButtonText: "Zbato",
    filterStringPlaceholder: "Shkruani për të kërkuar...",
    emptyMessage: "Nuk ka të dhëna për t'u shfaqur",
    loadingPage: "Po ngarkohet...",
    loadingData: "Po ngarkohet...",
    noEntriesText: "Ende nuk ka regjistrime.\nKlikoni butonin më poshtë për të shtuar një regjistrim të ri.",
    noEntriesReadonlyText: "Nuk ka regjistrime",
    tabTitlePlaceholder: "Panel i ri",
    more: "Më shumë",
    tagboxDoneButtonCaption: "OK",
    selectToRankEmptyRankedAreaText: "Të gjitha zgjedhjet janë renditur",
    selectToRankEmptyUnrankedAreaText: "Tërhiqni zgjedhjet këtu për t'i renditur",
    ok: "OK",
    cancel: "Anulo",
    createCustomItem: "Krijo elementin \"{0}\"...",
    toc: "Përmbajtja",
    progressbar: "Shiriti i përparimit",
  };

  // Serbian Latin → Cyrillic, as SerbianScript.ToCyrillic does it: placeholders, tags, entities, URLs and
  // addresses stay; so do words with digits, with q w x y, acronyms without Serbian letters, and mixed case.
  const keptNames = new Set(["Google", "Microsoft", "Authenticator", "Aegis", "Europol", "SurveyJS", "Chart", "Chromium", "Excel"]);
  const digraphs = { Lj: "Љ", LJ: "Љ", lj: "љ", Nj: "Њ", NJ: "Њ", nj: "њ", "Dž": "Џ", "DŽ": "Џ", "dž": "џ" };
  const latin = "ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ";
  const cyrillic = "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ";
  const letters = {};
  for (let i = 0; i < latin.length; i++) {
    letters[latin[i]] = cyrillic[i];
    letters[latin[i].toLowerCase()] = cyrillic[i].toLowerCase();
  }
  const verbatim = /\{[^}]*\}|<[^>]*>|&[#a-zA-Z0-9]+;|https?:\/\/\S+|[\p{L}\p{N}_.+-]+@[\p{L}\p{N}_-]+(\.[\p{L}\p{N}_-]+)+/gu;
  const word = /\p{L}[\p{L}\p{N}]*|\p{N}[\p{L}\p{N}]*/gu;

  function keepsLatin(w) {
    if (keptNames.has(w)) return true;
    if (/\p{Nd}/u.test(w)) return true;
    if (/[qwxyQWXY]/.test(w)) return true;
    const ls = Array.from(w).filter((c) => /\p{L}/u.test(c));
    if (ls.length >= 2 && ls.every((c) => /\p{Lu}/u.test(c))) return !ls.some((c) => "ČĆŽŠĐ".includes(c));
    return ls.slice(1).some((c) => /\p{Lu}/u.test(c));
  }

  function transliterateWord(w) {
    let out = "";
    for (let i = 0; i < w.length; i++) {
      const pair = w.substring(i, i + 2);
      if (pair.length === 2 && digraphs[pair]) { out += digraphs[pair]; i++; }
      else out += letters[w[i]] ?? w[i];
    }
    return out;
  }

  const words = (text) => text.replace(word, (w) => (keepsLatin(w) ? w : transliterateWord(w)));

  function toCyrillic(text) {
    let out = "";
    let last = 0;
    for (const m of text.matchAll(verbatim)) {
      out += words(text.slice(last, m.index)) + m[0];
      last = m.index + m[0].length;
    }
    return out + words(text.slice(last));
  }

  if (!locales.locales.sq) locales.setupLocale({ localeCode: "sq", strings: sq, nativeName: "shqip", englishName: "Albanian" });
  const serbian = locales.locales.sr;
  // Two slips in survey-core 2.5's Serbian: a Cyrillic letter inside a Latin word, and a misspelt placeholder.
  if (serbian && serbian.more === "Viљe") serbian.more = "Više";
  if (serbian && serbian.rowIndexTemplateTitle === "Red {rovIndex}") serbian.rowIndexTemplateTitle = "Red {rowIndex}";
  if (serbian && !locales.locales["sr-Cyrl"]) {
    const strings = {};
    for (const [key, text] of Object.entries(serbian)) strings[key] = typeof text === "string" ? toCyrillic(text) : text;
    locales.setupLocale({ localeCode: "sr-Cyrl", strings, nativeName: "српски", englishName: "Serbian (Cyrillic)" });
  }
})();
