/*
 * RIEC: Dutch validation messages in Camunda Forms.
 *
 * Tasklist 7.24 renders forms with form-js 1.8, whose validation messages are
 * hard-coded in English and show raw patterns ("Field must match pattern
 * ^[1-9][0-9]{3} ?[A-Za-z]{2}$."). This script, loaded through config.js
 * customScripts, rewrites those messages in Dutch as they appear. The format
 * itself is always stated in the field's Dutch description (docs/ui-conventions.md),
 * and the server checks every value again and answers in Dutch; this only removes
 * the English noise. It follows the webapps' own language choice: Dutch unless the
 * browser's first language is English.
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

function dutch(text) {
  for (const [pattern, message] of RULES) {
    const match = text.trim().match(pattern);
    if (match) {
      return message(match);
    }
  }
  return null;
}

function translate(root) {
  const scope = root.nodeType === Node.TEXT_NODE ? root.parentNode : root;
  if (!scope || !scope.closest) {
    return;
  }
  const inError = scope.closest('.fjs-form-field-error');
  const containers = inError ? [inError] : scope.querySelectorAll('.fjs-form-field-error');
  containers.forEach((container) => {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const replacement = dutch(node.data);
      if (replacement) {
        node.data = replacement;
      }
    }
  });
}

const languages = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
if (!String(languages[0]).toLowerCase().startsWith('en')) {
  new MutationObserver((mutations) => {
    mutations.forEach((mutation) => {
      translate(mutation.target);
      mutation.addedNodes.forEach((node) => translate(node));
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
}

export default [];
