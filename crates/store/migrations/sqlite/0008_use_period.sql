-- The e-licence use period (使用有效期) where the province has one (安徽: 180 days, 证照加注).
ALTER TABLE certificates ADD COLUMN use_until TEXT;
