/*
 * RIEC: "Voltooien" stays usable in forms with a dynamic list (form-js 1.8 in Tasklist 7.24).
 *
 * form-js stores a field's errors under [field id, row index] and, when the field is
 * valid again, deletes only the row's entry; the field's key stays behind as an empty
 * list. Tasklist counts Object.keys(errors) on every change and disables "Voltooien"
 * while it is not zero, so after the first keystroke in a dynamic list (case-half-open,
 * case-closed, case-work-up, police-own-initiative-details) the task could no longer
 * be completed, with no message on screen. This script drops the entries that hold no
 * message before form-js publishes its state; fields that do have errors keep them, so
 * the browser still refuses what it refused before. Found by tests/browser/test_case_forms.py.
 *
 * form-js's Form class is module 57661 of the webjar's bundle (camunda-webapp-webjar
 * 7.24.0: "var p=n(57661).Form" in camunda-tasklist-bootstrap.js); check it after a
 * Camunda upgrade. If it is not there, nothing is changed.
 */
const FORM_JS_MODULE = 57661;

function hasMessage(value) {
  if (typeof value === 'string') {
    return value.length > 0;
  }
  if (Array.isArray(value)) {
    return value.some(hasMessage);
  }
  if (value && typeof value === 'object') {
    return Object.keys(value).some((key) => hasMessage(value[key]));
  }
  return false;
}

function withoutEmpty(errors) {
  const kept = {};
  Object.keys(errors).forEach((key) => {
    if (hasMessage(errors[key])) {
      kept[key] = errors[key];
    }
  });
  return kept;
}

function patch(Form) {
  if (!Form || !Form.prototype || typeof Form.prototype._setState !== 'function' || Form.prototype.riecErrorsPruned) {
    return;
  }
  const setState = Form.prototype._setState;
  Form.prototype._setState = function (state) {
    if (state && state.errors && typeof state.errors === 'object') {
      return setState.call(this, Object.assign({}, state, {errors: withoutEmpty(state.errors)}));
    }
    return setState.call(this, state);
  };
  Form.prototype.riecErrorsPruned = true;
}

try {
  const chunks = self.webpackChunkcamunda_bpm_webapp;
  if (chunks && typeof chunks.push === 'function') {
    chunks.push([['riec-form-lists'], {}, (require) => {
      try {
        patch(require(FORM_JS_MODULE).Form);
      } catch (error) {
        console.warn('riec-form-lists: form-js not found, dynamic lists unchanged', error);
      }
    }]);
  }
} catch (error) {
  console.warn('riec-form-lists: not applied', error);
}

export default [];
