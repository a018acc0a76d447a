-- A person refused for concealing facts or false materials (隐瞒有关情况或者提供虚假材料申请注册)
-- may not apply again before this day (one year after the decision).
ALTER TABLE persons ADD COLUMN barred_until TEXT;
