/**
 * openObjectStore / parseStoreUrl: which lake URLs are understood and what they open.
 * Pure parsing, no emulator needed (the S3 client is never used).
 */
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  FileObjectStore,
  openObjectStore,
  parseStoreUrl,
  S3ObjectStore,
  UnsupportedStoreUrlError,
  type StoreLocation,
} from '../../../lib/object-store/index.ts';

describe('parseStoreUrl', () => {
  it.each<[string, StoreLocation]>([
    ['file:///data/lake', { kind: 'file', rootDir: '/data/lake' }],
    ['file:///data/lake/', { kind: 'file', rootDir: '/data/lake' }],
    ['file://localhost/data/lake', { kind: 'file', rootDir: '/data/lake' }],
    ['file:///data/my%20lake', { kind: 'file', rootDir: '/data/my lake' }],
    ['file://./lake', { kind: 'file', rootDir: path.resolve('lake') }],
    ['file://../lake', { kind: 'file', rootDir: path.resolve('..', 'lake') }],
    ['/data/lake', { kind: 'file', rootDir: '/data/lake' }],
    ['./lake', { kind: 'file', rootDir: path.resolve('lake') }],
    ['lake', { kind: 'file', rootDir: path.resolve('lake') }],
    ['../elsewhere/lake', { kind: 'file', rootDir: path.resolve('../elsewhere/lake') }],
    ['s3://candlelake', { kind: 's3', bucket: 'candlelake', prefix: '' }],
    ['s3://candlelake/', { kind: 's3', bucket: 'candlelake', prefix: '' }],
    ['s3://candlelake/lake', { kind: 's3', bucket: 'candlelake', prefix: 'lake' }],
    ['s3://candlelake/lake/v1/', { kind: 's3', bucket: 'candlelake', prefix: 'lake/v1' }],
    ['s3://my.bucket-01/p', { kind: 's3', bucket: 'my.bucket-01', prefix: 'p' }],
  ])('parses %j', (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    '',
    '   ',
    'http://example.com/lake',
    'https://bucket.s3.amazonaws.com/lake',
    'gs://bucket/lake',
    's3://',
    's3:///prefix-without-bucket',
    's3://Upper-Case-Bucket/lake',
    's3://ab/too-short',
    's3://bad_underscore/lake',
    'file://remote-host/share/lake',
  ])('rejects %j with UnsupportedStoreUrlError', (url) => {
    expect(() => parseStoreUrl(url)).toThrow(UnsupportedStoreUrlError);
  });
});

describe('openObjectStore', () => {
  it.each([
    ['file:///data/lake', FileObjectStore, 'file:///data/lake'],
    ['/data/lake', FileObjectStore, 'file:///data/lake'],
    ['s3://candlelake/lake', S3ObjectStore, 's3://candlelake/lake/'],
    ['s3://candlelake', S3ObjectStore, 's3://candlelake/'],
  ])('opens %j as the right adapter', (url, adapter, storeUrl) => {
    const store = openObjectStore(url, { s3Client: new S3Client({ region: 'us-east-1' }) });

    expect(store).toBeInstanceOf(adapter);
    expect(store.url).toBe(storeUrl);
  });

  it('uses the given S3 client and the prefix from the URL', () => {
    const client = new S3Client({ region: 'us-east-1' });

    const store = openObjectStore('s3://candlelake/lake/v1', { s3Client: client }) as S3ObjectStore;

    expect(store.bucket).toBe('candlelake');
    expect(store.prefix).toBe('lake/v1/');
  });

  it('throws UnsupportedStoreUrlError naming the URL', () => {
    expect(() => openObjectStore('ftp://host/lake')).toThrow(/ftp:\/\/host\/lake/);
  });
});
