/*
 * RIEC: Dutch validation messages in Camunda Forms.
 *
 * Tasklist 7.24 renders forms with form-js 1.8, whose validation messages are
 * hard-coded in English and show raw patterns ("Field must match pattern
 * ^[1-9][0-9]{3} ?[A-Za-z]{2}$."). This script, loaded through config.js
 * customScripts, rewrites those messages in Dutch as they appear. The format
 * itself is always stated in the field's Dutch description (docs/ui-conventions.md),
 * and the server checks every value again and answers in Dutch; this only removes
 * the English noise, and puts the few fixed words of form-js's own controls in Dutch
 * ("Select", "Search", "No results"). It follows the webapps' own language choice:
 * Dutch unless the browser's first language is English.
 */
const RULES = [
  [/^Field is required\.$/, () => 'Dit veld is verplicht.'],
  [/^Field must match pattern .*\.$/s, () => 'De invoer heeft niet de gevraagde vorm; zie de toelichting bij het veld.'],
  [/^Field must have minimum length of (\d+)\.$/, (m) => `Vul minstens ${m[1]} tekens in.`],
  [/^Field must have maximum length of (\d+)\.$/, (m) => `Vul hoogstens ${m[1]} tekens in.`],
  [/^Field must have minimum value of (.+)\.$/, (m) => `De waarde moet minstens ${m[1]} zijn.`],
  [/^Field must have maximum value of (.+)\.$/, (m) => `De waarde mag hoogstens ${m[1]} zijn.`],
  [/^Value is not a number\.$/, () => 'Vul een getal in.'],
  [/^Value is expected to be an integer\.$/, () => 'Vul een geheel getal in.'],
  [/^Field must be a valid\s+email\.?/, () => 'Vul een geldig e-mailadres in.'],
  [/^Field must be a valid\s+international phone number/, () => 'Vul een geldig internationaal telefoonnummer in, bijvoorbeeld +31501234567.']
];

// Fixed words form-js 1.8 shows in its own controls (select, search, drop-down list,
// and the buttons of a dynamic list: add a row, fold the rows, remove a row).
const WORDS = {
  'Select': 'Kies uit de lijst',
  'No results': 'Geen resultaten',
  'All values selected': 'Alle waarden gekozen',
  'Add new': 'Regel toevoegen',
  'Collapse': 'Inklappen'
};
const WORD_PATTERNS = [[/^Expand all \((\d+)\)$/, (m) => `Alles tonen (${m[1]})`]];
const PLACEHOLDERS = {'Search': 'Typ om te zoeken'};
const LABELS = [[/^Remove list item (\d+)$/, (m) => `Regel ${m[1]} verwijderen`]];

function dutch(text, inError) {
  const trimmed = text.trim();
  if (inError) {
    for (const [pattern, message] of RULES) {
      const match = trimmed.match(pattern);
      if (match) {
        return message(match);
      }
    }
  }
  if (Object.prototype.hasOwnProperty.call(WORDS, trimmed)) {
    return WORDS[trimmed];
  }
  return rewrite(WORD_PATTERNS, trimmed);
}

function rewrite(rules, text) {
  for (const [pattern, message] of rules) {
    const match = text.match(pattern);
    if (match) {
      return message(match);
    }
  }
  return null;
}

function translateLabel(element) {
  const replacement = rewrite(LABELS, element.getAttribute('aria-label') || '');
  if (replacement && element.closest('.fjs-container, .fjs-form')) {
    element.setAttribute('aria-label', replacement);
  }
}

function translateText(node) {
  const parent = node.parentElement;
  if (!parent || !parent.closest('.fjs-container, .fjs-form')) {
    return;
  }
  const replacement = dutch(node.data, !!parent.closest('.fjs-form-field-error'));
  if (replacement) {
    node.data = replacement;
  }
}

function translate(root) {
  if (root.nodeType === Node.TEXT_NODE) {
    translateText(root);
    return;
  }
  if (root.nodeType !== Node.ELEMENT_NODE) {
    return;
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    translateText(node);
  }
  const inputs = root.matches('input[placeholder]') ? [root] : root.querySelectorAll('input[placeholder]');
  inputs.forEach((input) => {
    const dutchPlaceholder = PLACEHOLDERS[input.getAttribute('placeholder')];
    if (dutchPlaceholder && input.closest('.fjs-container, .fjs-form')) {
      input.setAttribute('placeholder', dutchPlaceholder);
    }
  });
  (root.matches('[aria-label]') ? [root] : root.querySelectorAll('[aria-label]')).forEach(translateLabel);
}

const languages = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
if (!String(languages[0]).toLowerCase().startsWith('en')) {
  new MutationObserver((mutations) => {
    mutations.forEach((mutation) => {
      if (mutation.type === 'characterData') {
        translate(mutation.target);
      } else if (mutation.type === 'attributes') {
        translateLabel(mutation.target);  // a row removed: form-js renumbers the others' labels
      } else {
        mutation.addedNodes.forEach((node) => translate(node));
      }
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-label']});
}

export default [];
