/*
 * What the theme lacks, added the same way whichever engine built the site (MkDocs or ProperDocs with Material
 * for MkDocs, or Zensical): a template override would have to match each theme's own markup.
 *
 * - Material's search dialog (role="dialog") has no accessible name, which axe-core requires of every dialog
 *   (rule aria-dialog-name): it is named after its search field. Zensical's has one already and is left alone.
 * Plain ES2017, no dependencies, no globals.
 */
(function () {
  'use strict';

  function nameDialogs() {
    var dialogs = document.querySelectorAll('[role="dialog"]:not([aria-label]):not([aria-labelledby])');
    for (var i = 0; i < dialogs.length; i++) {
      var field = dialogs[i].querySelector('input[aria-label], input[placeholder]');
      dialogs[i].setAttribute('aria-label', field ? (field.getAttribute('aria-label') || field.getAttribute('placeholder')) : 'Search');
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', nameDialogs);
  } else {
    nameDialogs();
  }
  if (window.document$ && typeof window.document$.subscribe === 'function') {
    window.document$.subscribe(function () { nameDialogs(); });
  }
})();
