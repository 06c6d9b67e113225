import assert from 'node:assert/strict';
import { RuleSettingsError, resolveRuleSettings } from '../../../services/exclusions/rule-settings';

describe('exclusion rule settings', () => {
  it('fills documented defaults', () => {
    const settings = resolveRuleSettings();
    assert.equal(settings.yearWarnDays, 35);
    assert.equal(settings.repeatedCount, 3);
    assert.equal(settings.repeatedWindowSchoolDays, 30);
    assert.equal(settings.disproportionalityRatio, 2);
    assert.equal(settings.termTotalsAcrossSchools, false);
    assert.equal(settings.yearTotalsAcrossSchools, true);
    assert.equal(settings.eventsSince, undefined);
  });

  it('names the field of a bad override', () => {
    assert.throws(() => resolveRuleSettings({ yearWarnDays: 50 }), (e: Error) => e instanceof RuleSettingsError && /^exclusion rule settings: yearWarnDays: /.test(e.message));
    assert.throws(() => resolveRuleSettings({ repeatedCount: 1.5 }, 'ALERT_SETTINGS'), (e: Error) => /^ALERT_SETTINGS: repeatedCount: /.test(e.message));
    assert.throws(() => resolveRuleSettings({ yearWarn: 30 }), /Unrecognized key/);
    assert.throws(() => resolveRuleSettings({ eventsSince: '1/9/2026' }), /eventsSince: must be a date/);
  });
});
