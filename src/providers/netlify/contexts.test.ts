import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../config/load.ts';
import { fromApiContext, hasPostProcessing, netlifyContextsFor, isNetlifySecret, secretScopesFrom, toApiContext } from './contexts.ts';

function settings(env: Record<string, string> = {}) {
  return loadSettings({ ENVSYNC_NETLIFY_SECRET_PREFIXES: 'SECRET_', ENVSYNC_NETLIFY_SECRET_KEYS: 'STRIPE_KEY', ...env }).providers.netlify.options;
}

describe('Netlify contexts', () => {
  it('names a branch value branch:<name> and back', () => {
    expect(fromApiContext('branch', 'staging')).toBe('branch:staging');
    expect(toApiContext('branch:staging')).toEqual({ context: 'branch', context_parameter: 'staging' });
    expect(toApiContext('production')).toEqual({ context: 'production' });
  });

  it('leaves a branch value without a branch name unmanageable', () => {
    expect(fromApiContext('branch', null)).toBe('branch');
    expect(fromApiContext('branch', '')).toBe('branch');
  });

  it('treats listed keys and prefixed keys as secrets, nothing else', () => {
    const current = settings();
    expect(isNetlifySecret('STRIPE_KEY', current)).toBe(true);
    expect(isNetlifySecret('SECRET_TOKEN', current)).toBe(true);
    expect(isNetlifySecret('STRIPE_KEY_2', current)).toBe(false);
    expect(isNetlifySecret('PUBLIC_URL', current)).toBe(false);
  });

  it('manages the configured contexts of a plain key as they are', () => {
    expect(netlifyContextsFor('PUBLIC_URL', settings())).toEqual(['all']);
    expect(netlifyContextsFor('PUBLIC_URL', settings({ ENVSYNC_NETLIFY_CONTEXTS: 'production,dev,branch:staging' }))).toEqual([
      'production',
      'dev',
      'branch:staging',
    ]);
  });

  it('expands all into explicit contexts for a secret, without dev', () => {
    expect(netlifyContextsFor('SECRET_TOKEN', settings())).toEqual(['production', 'deploy-preview', 'branch-deploy', 'dev-server']);
  });

  it('never manages the readable dev context of a secret', () => {
    expect(netlifyContextsFor('SECRET_TOKEN', settings({ ENVSYNC_NETLIFY_CONTEXTS: 'production,dev,branch:staging' }))).toEqual([
      'production',
      'branch:staging',
    ]);
  });
});

describe('Netlify scopes', () => {
  it('recognises post-processing in both spellings the API uses', () => {
    expect(hasPostProcessing(['builds', 'post_processing'])).toBe(true);
    expect(hasPostProcessing(['post-processing'])).toBe(true);
    expect(hasPostProcessing(['builds', 'functions'])).toBe(false);
  });

  it('drops post-processing from a secret and keeps the rest as the API spelled it', () => {
    expect(secretScopesFrom(['builds', 'functions', 'runtime', 'post_processing'])).toEqual(['builds', 'functions', 'runtime']);
    expect(secretScopesFrom(['Functions', 'post-processing'])).toEqual(['Functions']);
  });

  it('gives a secret every scope but post-processing when none were listed', () => {
    expect(secretScopesFrom(undefined)).toEqual(['builds', 'functions', 'runtime']);
    expect(secretScopesFrom(['post_processing'])).toEqual(['builds', 'functions', 'runtime']);
  });
});
