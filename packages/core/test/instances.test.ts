import { describe, expect, it } from 'vitest';
import {
  byInstance,
  configuredSpelling,
  gatewayOfInstance,
  instanceKey,
  listsInstance,
  loadConfig,
} from '../src/index.js';

describe('instance names match case-insensitively', () => {
  it('keys the WUZAPI maps by lower case, so any spelling finds the token and the HMAC key', () => {
    const config = loadConfig({
      WUZAPI_USER_TOKENS: 'Vendas-01:tok1, suporte:tok2',
      WUZAPI_HMAC_KEYS: 'VENDAS-01:key-of-vendas,suporte:key-of-suporte',
    });
    expect([...(config.WUZAPI_USER_TOKENS?.keys() ?? [])]).toEqual(['vendas-01', 'suporte']);
    expect(byInstance(config.WUZAPI_USER_TOKENS, 'vendas-01')).toBe('tok1');
    expect(byInstance(config.WUZAPI_USER_TOKENS, ' VENDAS-01 ')).toBe('tok1');
    expect(byInstance(config.WUZAPI_HMAC_KEYS, 'Vendas-01')).toBe('key-of-vendas');
    expect(byInstance(config.WUZAPI_HMAC_KEYS, 'outra')).toBeUndefined();
    expect(() => loadConfig({ WUZAPI_HMAC_KEYS: 'no-key-here' })).toThrow(/WUZAPI_HMAC_KEYS/);
  });

  it("gives back the gateway's own spelling of a configured instance", () => {
    expect(instanceKey(' Vendas-01 ')).toBe('vendas-01');
    expect(configuredSpelling(['Vendas-01', 'Suporte'], 'vendas-01')).toBe('Vendas-01');
    expect(configuredSpelling(['Vendas-01'], 'Outra')).toBe('Outra');
    expect(configuredSpelling(undefined, 'Outra')).toBe('Outra');
  });

  it('finds the gateway of an instance (backfill, sends) in any spelling', () => {
    const config = loadConfig({
      EVOLUTION_API_URL: 'http://evolution.local',
      EVOLUTION_INSTANCES: 'Vendas-01',
      WUZAPI_API_URL: 'http://wuzapi.local',
      WUZAPI_USER_TOKENS: 'Loja-02:tok',
    });
    expect(listsInstance(config.EVOLUTION_INSTANCES, 'VENDAS-01')).toBe(true);
    expect(listsInstance(config.EVOLUTION_INSTANCES, 'outra')).toBe(false);
    expect(gatewayOfInstance(config, 'vendas-01')).toBe('evolution');
    expect(gatewayOfInstance(config, 'LOJA-02')).toBe('wuzapi');
    expect(gatewayOfInstance(config, 'outra')).toBeUndefined();
  });
});
